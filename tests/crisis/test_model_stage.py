"""``crisis.model_stage`` in the running bot: what the lexicon passes may be queued as concern,
never paged; a failing model leaves the lexicon's answer; a bad config says what to do."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.config import ConfigError
from bot.crisis import load_model_stage
from bot.crisis.detection.model_stage import ModelStage, ModelUnavailable
from bot.events import Mention
from tests.crisis.helpers import CRISIS, crisis_app, pages, room_posts
from tests.fakes import settings_for

DESPAIR = "my life is a mess and I dont know why I bother"  # the lexicon passes it


async def test_what_the_model_flags_is_queued_as_concern_without_a_page(tmp_path: Path) -> None:
    async with crisis_app(tmp_path, crisis={"model_stage": True}) as (app, adapter, _):
        await adapter.say("alice", DESPAIR)
        await app.settle()
        notice, = room_posts(adapter)
        assert notice.mention is Mention.NONE and notice.text.startswith("🟡 Concern #1")
        assert "Noticed by the model stage, not by a phrase" in notice.text
        assert adapter.texts_to("alice") == []  # no resource message, no reply
        async with app.core.db.read() as tx:
            row = await tx.fetchone("SELECT tier, categories FROM escalations")
        assert tuple(row) == ("concern", '["model"]')


async def test_without_the_model_stage_the_same_words_pass(tmp_path: Path) -> None:
    async with crisis_app(tmp_path) as (app, adapter, _):
        await adapter.say("alice", DESPAIR)
        await adapter.say("bob", "I feel hopeless and so alone")  # the lexicon's concern
        await app.settle()
        notice, = room_posts(adapter)
        assert "Member: <bob>" in notice.text and "model stage" not in notice.text


async def test_a_failing_model_leaves_the_lexicons_answer_and_logs_no_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(self: ModelStage, texts: list[str], found: list[object]) -> list[object]:
        raise MemoryError

    async with crisis_app(tmp_path, crisis={"model_stage": True}) as (app, adapter, _):
        monkeypatch.setattr(ModelStage, "review", broken)
        with caplog.at_level(logging.INFO):
            await adapter.say("alice", DESPAIR)
            await adapter.say("bob", CRISIS)
            await app.settle()
        assert len(pages(adapter)) == 1  # the crisis still pages
        assert "model stage failed (MemoryError)" in caplog.text
        assert DESPAIR not in caplog.text and CRISIS not in caplog.text


def test_config_model_stage_needs_concern(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "p.db", crisis={"model_stage": True,
                                                       "concern_enabled": False})
    with pytest.raises(ConfigError, match=r"needs crisis\.concern_enabled = true"):
        load_model_stage(settings)


def test_config_model_stage_missing_packages_say_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    def missing() -> ModelStage:
        raise ModelUnavailable("the model stage needs ...: `uv sync --extra model`")

    monkeypatch.setattr(ModelStage, "load", staticmethod(missing))
    settings = settings_for(tmp_path / "p.db", crisis={"model_stage": True})
    with pytest.raises(ConfigError, match=r"crisis\.model_stage: .*uv sync --extra model"):
        load_model_stage(settings)
    assert load_model_stage(settings_for(tmp_path / "p.db")) is None  # off by default
