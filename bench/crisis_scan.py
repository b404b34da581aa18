"""Speed of the lexicon-and-pattern stage on one core, against the naive approach.

    uv run python bench/crisis_scan.py [--messages N] [--naive-messages N]

Builds a reproducible corpus of chat-length messages (everyday chat with the chat suite mixed
in, so a few percent carry crisis language), then prints messages per second for:
the detector (first pass with cold caches, and steady state), and the naive approach (one
compiled regex per lexicon entry, all tried on every message) measured in the same run; and
the same figures as the lexicon grows x1, x2, x5, x10 with synthetic but realistic entries
(more medicines, places and euphemisms, loaded through the community-file path).
"""

from __future__ import annotations

import argparse
import csv
import gc
import os
import random
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.crisis.detection import Detector  # noqa: E402
from bot.crisis.detection.lexicon import load_lexicon  # noqa: E402
from bot.crisis.detection.patterns import PatternCompiler  # noqa: E402
from bot.crisis.detection.words import word_cost  # noqa: E402

SUITE = ROOT / "bench" / "data" / "crisis_chat_suite.csv"
OPENERS = ["", "", "", "hey ", "ok ", "lol ", "honestly ", "ugh ", "morning all, ", "so ",
           "quick q: ", "update: ", "haha ", "omg ", "fwiw "]
_FRAGMENT_TEXT = """anyone going to the meeting tonight|my sponsor called me back finally|
coffee first, then people|work was long but i got through it|the dog ate my sandwich again|
day 12 and feeling pretty good|i made soup for the whole week|does the clinic open at 9 or 10|
traffic was insane this morning|watched a movie with my kid last night|
thanks for the advice yesterday|going to the gym after work|
my therapist moved my appointment to friday|cravings were rough around 5pm|
who wants to grab lunch sunday|just finished my step work for the week|
the weather is gloomy again|my phone died in the middle of the call|
slept like 9 hours, feel human again|this group has been a lifesaver honestly|
going to bed early tonight|did anyone see the game last night|i burned the toast again|
new job starts monday, kind of nervous|grateful for you all|
my car won't start, waiting on a tow|30 days today|what podcast are you all listening to|
the link for the zoom meeting is pinned|made it through the family dinner sober|
my mom is visiting this weekend|the new guy at group seems nice|
anyone have tips for sleeping better|i'm so tired of this rain|walked 5 miles today|
cleaned the whole apartment|my cat knocked over my plant|haven't had a drink in 2 weeks|
this traffic is killing me|i'm dying to see the new season|good morning everyone|
happy friday friends|how was everyone's weekend|sunday meeting was packed|
i finally called my sister|my kid has a fever so staying home|
picked up a shift at the warehouse|the bus was late again|thinking of you all today|
baked banana bread, it came out ok|i'm proud of this group|my knee is acting up|
anyone read anything good lately|we adopted a kitten|the new chair at group is great|
still getting used to the early mornings|rent is due and i'm short again|
my boss was actually nice today|got my chip for 60 days|going fishing with my uncle|
the laundromat ate my quarters|i need a haircut so bad|garden tomatoes are finally red|
does anyone know a good dentist|i start classes in january|my brother is coming to visit|
first sober thanksgiving coming up|i journaled for 20 minutes|tried a yoga class, humbling|
the library has free wifi now|spent the afternoon at the park|made pancakes for the kids|
my neighbor plays drums at midnight|finally fixed the leaky faucet|
anyone want to carpool thursday|my grandma turned 90|the pharmacy line was forever|
i'm learning guitar, badly|caught up on sleep this weekend|the snow is coming tomorrow|
my team won last night|i have a job interview tuesday|bought new running shoes|
reading the big book again|my daughter lost her first tooth|the coffee at group is terrible|
we should do a potluck|i'm on chapter 5|feeling a bit anxious today but ok|
my car needs new tires|the power went out for an hour|i painted the bedroom|
my roommate moved out|trying to eat more vegetables|i love this community|
just got home from work|long day, heading to bed|see you all tomorrow|
it's been a rough week but i'm hanging in|text me if you want to talk|
happy birthday to my sponsor|my dad is doing better after surgery|
my son made the soccer team|can someone share the meeting link|
i'm bringing cookies on thursday|went to two meetings today|
the moon was huge last night|my tea went cold again|
i'm taking a break from social media|i need to remember to take my meds"""
FRAGMENTS = _FRAGMENT_TEXT.replace("\n", "").split("|")
EMOJI = ["", "", "", " 🙂", " 😂", " 🙏", " ❤️", " 💪", "!!", "...", " lol"]


def _split(text: str) -> list[str]:
    return text.split()


# Synthetic growth: entries like the real ones, over words ordinary chat rarely contains.
MEDICINES = _split("""amitriptyline nortriptyline clonazepam lorazepam diazepam alprazolam
oxycodone hydromorphone dilaudid hydrocodone tapentadol quetiapine olanzapine risperidone
aripiprazole
sertraline fluoxetine citalopram escitalopram venlafaxine duloxetine bupropion mirtazapine
zolpidem eszopiclone zopiclone diphenhydramine benadryl nyquil propranolol metoprolol
amlodipine warfarin digoxin colchicine metformin glipizide lamotrigine carbamazepine
valproate topiramate pregabalin baclofen cyclobenzaprine carisoprodol methocarbamol naproxen
excedrin midol sudafed dextromethorphan promethazine hydroxyzine buspirone clonidine
gabapentin tramadol tylenol3 percocet10 norco vicoprofen opana kratom phenibut xylazine
carfentanil nitazene loperamide imodium doxepin trimipramine phenelzine tranylcypromine
lithobid depakote tegretol seroquelxr zyprexa abilify latuda vraylar rexulti cymbalta
effexor pristiq paxil celexa lexapro10 trintellix wellbutrinxl remeron desyrel restoril
halcion xanaxxr klonopin2 ativan1 valium10 librium soma flexeril robaxin""")
PLACES = _split("""quarry pier watertower clocktower overpass5 parkingdeck stadiumroof
ferrydeck lighthouse damwall trestle viaduct skybridge footbridge railbridge cliffside gorge canyon
ravine bluff escarpment silo smokestack crane scaffold rooftopbar helipad mezzanine atrium
stairwell balcony9 terrace12 tower7 floor14 floor22 floor30 level8 level12 deck4 pylon
causeway""")
_EUPHEMISM_TEXT = """disappear for good|go to sleep for good|clock out for good|take the long walk|
catch the bus|log off for good|leave for good|go somewhere i cant come back from|
join my brother|see grandma again|rest for good|stop the clock|turn off for good|
make it stop for good|check out early|be done for good|go quiet forever|sign off forever|
pull the plug on myself|close my eyes for good|fade out for good|end the story|
write my last chapter|take my last breath|not see another sunrise|skip tomorrow|
never see monday|leave this place for good|go to the other side|be free of all this forever"""
EUPHEMISMS = _EUPHEMISM_TEXT.replace("\n", "").split("|")
MED_TEMPLATES = ["<take> <many> (of)? <my>? {w}",
                 "how (many|much) {w} ~3 (to die|to kill|is lethal)",
                 "(saving|stockpiling|hoarding) (up)? <my>? {w}", "(lethal|fatal) dose of {w}",
                 "enough {w} to (die|kill me|not wake up)", "overdose on {w}",
                 "<take> (all|every) {w}", "{w} ~~8 (take|swallow) (them all|all of it)",
                 "crush (all|up)? (my)? {w}", "(stared|staring) at (the|my)? {w}",
                 "(bottle|pack|box) of {w} ~3 (tonight|right now|ready)",
                 "{w} and (vodka|alcohol)",
                 "(swallowed|swallow|downed) (a|the)? (handful|bunch|fistful) of {w}",
                 "{w} (is|are) (in my hand|on the table|lined up)",
                 "(googled|searched) ~3 {w} (overdose|lethal|dose to die)",
                 "(took|take|taking) {w} (with|and) (booze|whiskey|wine|beer)",
                 "(mixing|mix|mixed) {w} (and|with) (benzos|xanax|opioids|alcohol)",
                 "(double|triple) (dose|doses) of {w} ~3 (tonight|on purpose|forever)",
                 "(emptied|emptying) (the|my)? {w} (bottle|box|pack)",
                 "{w} (overdose|od) (tonight|on purpose|again)",
                 "(took|swallowed) ~3 {w} ~~8 woke up (in the hospital|in the er)",
                 "(counting|counted) (out|up)? (my|the)? {w} ~3 (tonight|again|to take)",
                 "(crushed|crushing) (up)? (all|the)? {w} ~3 (to|and) (snort|take|drink)",
                 "(saved|been saving) (up)? (a month of|weeks of) {w}"]
PLACE_TEMPLATES = ["(jump|jumping|jumped) (off|from) the {w}",
                   "standing (on|at) the {w} ~3 (right now|tonight)",
                   "(throw|throwing) myself (off|from) the {w}",
                   "(climb|climbing|climbed) (up)? the {w} ~3 (tonight|to jump)",
                   "edge of the {w}", "top of the {w} ~3 (right now|tonight)",
                   "(drive|driving|drove) (to|off) the {w} ~3 (tonight|to end it|and jump)",
                   "(sitting|sat) on the {w} ~3 (legs over|looking down|tonight)",
                   "(going|walking|heading) to the {w} ~3 (to jump|to end it|for the last time)",
                   "(the|that) {w} ~~6 (jump|end it|never come back)",
                   "(parked|parking|sitting in my car) (at|by|near) the {w} ~3 (tonight|again)",
                   "(looking|looked|staring) down from the {w}",
                   "(legs|feet) over the (edge|side) of the {w}",
                   "how high is the {w}",
                   "(fall|falling|fell) from the {w} ~3 (would|might|could) (kill|end)",
                   "(walked|walking|walk) (out)? (onto|to) the {w} ~3 (tonight|alone)",
                   "(last|final) (look|walk|visit) (at|to) the {w}",
                   "(no one|nobody) (at|on|near) the {w} ~3 (tonight|right now)",
                   "(lean|leaning|leaned) over the {w} (railing|edge)",
                   "(scouted|scouting|checked out) the {w} ~3 (for|to)",
                   "(wind|cold) (on|at) (top of)? the {w} ~3 (tonight|right now)",
                   "(my|the) spot (on|at) the {w}"]
EUPH_TEMPLATES = ["<want> <adv>* {w}", "<will> <adv>* {w}",
                  "(thinking|thought) about how to {w}",
                  "ready to {w}", "(tonight|tomorrow) i (will|am going to) {w}",
                  "(time|about time) (for me)? to {w}", "(wish|wishing) i could {w}",
                  "(planning|plan) to {w}", "(decided|deciding) to {w}",
                  "(need|have) to {w} (tonight|soon)",
                  "(going|gonna) to {w} (tonight|tomorrow|this weekend)",
                  "(want|wanted) (so badly|so much) to {w}", "(tried|trying) to {w}",
                  "(cant|cannot) wait to {w}", "(before|after) i {w}",
                  "(way|ways) to {w}", "(almost|nearly) (ready|time) to {w}",
                  "(dream|dreaming) (of|about) how to {w}", "(chose|choose) to {w}",
                  "(promise|promised) myself (i|id) {w}", "(the day|tonight) i {w}",
                  "(love|hate) that i (will|could) {w}"]


def corpus(count: int, seed: int = 7) -> list[str]:
    """Chat-length messages: everyday chat with the suite (all groups) mixed in at ~5%."""
    rng = random.Random(seed)
    with SUITE.open(encoding="utf-8", newline="") as handle:
        suite = [row["text"] for row in csv.DictReader(handle)]
    messages = []
    for _ in range(count):
        if rng.random() < 0.05:
            messages.append(rng.choice(suite))
            continue
        parts = rng.sample(FRAGMENTS, rng.choice((1, 1, 2, 2, 3)))
        text = rng.choice(OPENERS) + ", ".join(parts) + rng.choice(EMOJI)
        messages.append(text.capitalize() if rng.random() < 0.3 else text)
    return messages


def synthetic_entries(count: int) -> Iterator[str]:
    """TOML for ``count`` extra entries built from realistic templates."""
    pools = [(MEDICINES, MED_TEMPLATES, "means"), (PLACES, PLACE_TEMPLATES, "means"),
             (EUPHEMISMS, EUPH_TEMPLATES, "suicide")]
    made = 0
    for round_ in range(1000):
        for words, templates, category in pools:
            for w in words:
                if round_ >= len(templates):
                    continue
                if made == count:
                    return
                pattern = templates[round_].format(w=w.strip())
                made += 1
                yield (f'[[entry]]\nid = "synthetic.{made}"\ntier = "crisis"\n'
                       f'category = "{category}"\npattern = "{pattern}"\n')
    raise SystemExit(f"cannot make {count} synthetic entries from the pools")


def naive_matcher(extra: Path | None) -> tuple[Callable[[str], bool], int]:
    """One compiled regex per entry, each tried in turn: the approach we compare against."""
    lexicon = load_lexicon(extra)
    compiler = PatternCompiler(lexicon.classes, word_cost)
    regexes = [re.compile(compiler.compile(e.pattern).regex) for e in lexicon.entries]
    strip = re.compile(r"[^a-z0-9]+")

    def match(text: str) -> bool:
        line = " " + strip.sub(" ", text.lower()) + " "
        hit = False
        for regex in regexes:
            if regex.search(line):
                hit = True
        return hit

    return match, len(regexes)


def rate(function: Callable[[str], object], messages: list[str]) -> float:
    """Messages per second, with the cyclic garbage collector paused (as timeit does)."""
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        for text in messages:
            function(text)
        return len(messages) / (time.perf_counter() - start)
    finally:
        gc.enable()


def measure(messages: list[str], naive_sample: list[str], extra: Path | None) -> dict[str, float]:
    """Best of three passes (the machine may be shared), after one cold pass."""
    detector = Detector.load(extra_lexicon=extra)
    cold = rate(detector.classify, messages)
    warm = max(rate(detector.classify, messages) for _ in range(3))
    naive, entries = naive_matcher(extra)
    naive(naive_sample[0])  # compile outside the clock
    return {"entries": entries, "rules": detector.rule_count, "cold": cold, "warm": warm,
            "naive": max(rate(naive, naive_sample) for _ in range(2))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--naive-messages", type=int, default=3_000)
    args = parser.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    messages = corpus(args.messages)
    naive_sample = messages[: args.naive_messages]
    base = len(load_lexicon().entries)
    print(f"corpus: {len(messages)} messages, mean {sum(map(len, messages)) / len(messages):.0f}"
          f" characters; one core; naive timed on the first {len(naive_sample)}; entries: "
          "lexicon entries, rules: entries split into their top-level alternatives")
    print(f"\n{'lexicon':<8} {'entries':>7} {'rules':>6} {'detector cold':>14} "
          f"{'detector warm':>14} {'naive':>9} {'warm/naive':>11} {'warm vs x1':>11}")
    first_warm = 0.0
    with tempfile.TemporaryDirectory() as folder:
        for factor in (1, 2, 5, 10):
            extra = None
            if factor > 1:
                extra = Path(folder) / f"x{factor}.toml"
                extra.write_text("\n".join(synthetic_entries(base * (factor - 1))),
                                 encoding="utf-8")
            result = measure(messages, naive_sample, extra)
            first_warm = first_warm or result["warm"]
            print(f"x{factor:<7} {result['entries']:>7.0f} {result['rules']:>6.0f} "
                  f"{result['cold']:>12,.0f}/s "
                  f"{result['warm']:>12,.0f}/s {result['naive']:>7,.0f}/s "
                  f"{result['warm'] / result['naive']:>10.1f}x "
                  f"{result['warm'] / first_warm:>10.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
