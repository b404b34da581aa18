"""How common a word is in chat, roughly. The pattern compiler indexes each entry by its rarest
required words: an entry indexed on "to" or "my" would be tried on nearly every message."""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# In a large share of all messages.
EVERYWHERE = _words("""
a all and are at be but can do for get have i if im in is it just like me my no not of on so
that the this to was what with you
""")
# Function words and the most frequent chat words.
VERY_COMMON = _words("""
about after again also am an any as back been because by cant could did didnt does dont from
go going gonna got had has he her here him his how id ill into its ive know lol more now off
ok one or out over really some still thats their them then there they too u up us very want
way we well were when who why will would yeah yes your youre
""")
# Frequent content words, including recovery talk: in a few percent of messages each.
COMMON = _words("""
alone already always anymore anyone around bad before being best better big call called
clean craving cravings day days doing done down drink drinking drank end even ever every
everyone everything feel feeling feels find first friend friends gave give good great guys
happy hard help home hope house keep kind last left life little long look lot love made make
many maybe mean meeting meetings mom morning much myself need never new next night nothing
old only other people please pretty relapse right said say see should since sober something
sorry sponsor step steps sure take talk tell thank thanks thing things think though through
time tired today tomorrow tonight took try trying two use used using week weekend went where
which while work world yesterday year years
""")


def word_cost(word: str) -> int:
    """A rough relative chance that a chat message contains ``word``."""
    if word in EVERYWHERE:
        return 1000
    if word in VERY_COMMON:
        return 100
    return 10 if word in COMMON else 1
