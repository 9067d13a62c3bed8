"""The offline summarizer: a lecture-shaped summary from the transcript alone, no model, no network.

It reads the transcript sentence by sentence, each sentence timed by its segment:
- key terms: noun phrases (runs of words between stop words and verbs), ranked by how often they
  recur, how many words they have and whether the lecturer introduced them ("today we cover …");
- topics: what the lecturer introduced, else the leading key term of each stretch of the lecture;
- action items: the lecturer's sentences that set work ("read …", "… is due …") with their deadline;
- questions: students' questions, answered when a lecturer's reply follows (a "good question", or
  the same words) before the next question;
- an overview built from those.
Opted-out students are never transcribed, so they cannot appear here.
"""

import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

from summaries.schema import ActionItem, KeyTerm, Point, Question, Summary


@dataclass(frozen=True)
class Utterance:
    """One transcript segment, with whether its speaker hosts the lecture."""

    speaker: str
    identity: str
    is_host: bool
    start: float
    end: float
    text: str


@dataclass(frozen=True)
class Sentence:
    text: str
    start: float
    end: float
    speaker: str
    is_host: bool
    utterance: int


# --- words --------------------------------------------------------------------------------------


def _words(block: str) -> frozenset[str]:
    return frozenset(block.split())


_STOP_WORDS = _words(
    """
    a about above after again against all almost also although always am among an and another any
    anybody anyone anything are around as at away back be because been before being below between
    both but by can cannot could did do does doing done down during each either else enough
    especially even ever every everybody everyone everything few fewer first for from further had
    has have having he her here hers herself him himself his how however i if in into is it its
    itself just last least less let lets let's like many may maybe me might mine more most much must
    my myself neither never next no nobody none nor not nothing now of off often on once one only
    onto or other others otherwise our ours ourselves out over own per perhaps please quite rather
    really same second several shall she should since so some somebody someone something sometimes
    soon still such than that that's the their theirs them themselves then there there's these they
    they're thing things third this those though through thus to together too toward towards under
    until up upon us very via was we we'll we're we've were what what's whatever when whenever where
    whether which while who whoever whole whom whose why will with within without would yes yet you
    you'll you're your yours yourself yourselves ok okay um uh oh well alright right also actually
    basically welcome back due e g i e etc today tomorrow tonight yesterday week weeks weekend month
    months year years day days time times minute minutes hour hours lecture lectures class classes
    lesson course session professor question questions answer answers example examples point points
    way ways lot lots kind sort part parts bit case cases number numbers people student students
    everybody good great new big small large little high low long short important different same
    sure able certain own real true false clear simple main general specific whole single double
    half two three four five six seven eight nine ten hundred thousand million zero noon midnight
    morning afternoon evening monday tuesday wednesday thursday friday saturday sunday january
    february march april may june july august september october november december
    """
)

_VERBS = _words(
    """
    accept add affect agree allow answer appear apply argue arrive ask assume attend avoid be become
    begin believe belong break bring build buy calculate call cause change check choose claim close
    collide come compare complete compute consider contain continue control cover create cut decide
    decrease define depend derive describe destroy detect determine develop die discuss divide do
    draw drive drop eat email end enjoy ensure enter estimate examine expect explain express fall
    feel fill find finish fit fix focus follow forget form get give go grow guess hand happen hate
    have hear help hold hope ignore imagine implement improve include increase indicate involve join
    keep kill know lead learn leave lend let lie like listen live look lose love make manage map
    mark matter mean measure meet mention mind miss move need note notice observe obtain occur offer
    operate own pass pay perform pick place plan play point practice practise predict prepare
    present prevent print proceed produce prove provide pull push put raise reach read realize
    realise receive recognize recognise record reduce refer reflect relate release remain remember
    remove repeat replace reply report represent require resolve respond rest result return review
    rise run save say see seem select sell send serve share show sit slow solve sound speak spend
    stand start state stay stop study submit suggest supply support suppose take talk teach tell
    tend test thank think throw train transform travel treat try turn understand upload use vary
    wait walk want warn watch wonder work worry write
    """
)

_IRREGULAR = _words(
    """
    am is are was were been being has had did done does doing went gone goes came comes made makes
    took taken takes gave given gives got gotten said says saw seen knew known thought told found
    left kept brought bought built began begun broke broken chose chosen drew drawn drove driven
    fell felt grew grown heard held led lent lay lost meant met paid ran rose risen sent shown sat
    spoke spoken spent stood taught threw thrown understood wrote written read
    """
)


def _inflections(verb: str) -> set[str]:
    forms = {verb}
    if verb.endswith("e"):
        forms |= {verb + "s", verb + "d", verb[:-1] + "ing"}
    elif verb.endswith("y") and verb[-2:-1] not in "aeiou":
        forms |= {verb[:-1] + "ies", verb[:-1] + "ied", verb + "ing"}
    elif verb.endswith(("s", "sh", "ch", "x", "z")):
        forms |= {verb + "es", verb + "ed", verb + "ing"}
    else:
        forms |= {verb + "s", verb + "ed", verb + "ing"}
        if re.fullmatch(r"[^aeiou]*[aeiou][bdgmnprt]", verb):  # stop → stopped, stopping
            forms |= {verb + verb[-1] + "ed", verb + verb[-1] + "ing"}
    return forms


# Words too general to be a key term on their own (they may still be part of one: "probability bound").
_GENERIC = _words(
    """
    idea ideas picture moment board rest size cost costs input output code top bottom base bound side end
    start worst best better expensive cheap tricky alike mind step steps detail details problem problems
    reason result results fact term terms word words name names page pages line lines list slide slides
    response constant forward backward material lookup
    """
)
_INNER_ONLY = frozenset({"first", "second", "third", "last", "next"})
_VERB_FORMS = {form for verb in _VERBS for form in _inflections(verb)} | _IRREGULAR
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_CLAUSE_BREAK = re.compile(r"[,;:()\"“”—–]| - ")


def _norm(word: str) -> str:
    return word.lower().replace("’", "'")


def _is_breaker(word: str) -> bool:
    lower = _norm(word)
    bare = lower[:-2] if lower.endswith("'s") else lower
    return (
        lower in _STOP_WORDS
        or bare in _STOP_WORDS
        or lower in _VERB_FORMS
        or (lower.endswith("ly") and len(lower) > 4)
        or (len(lower) < 3 and not word[0].isupper())
    )


def _stem(word: str) -> str:
    word = _norm(word).removesuffix("'s")
    for suffix in ("ies", "es", "s", "ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def content_words(text: str) -> set[str]:
    return {_stem(word) for word in _WORD.findall(text) if not _is_breaker(word)}


# --- sentences ----------------------------------------------------------------------------------


def split_sentences(utterances: list[Utterance]) -> list[Sentence]:
    """Each utterance cut into sentences, each timed by where it falls in the utterance."""
    sentences = []
    for index, utterance in enumerate(utterances):
        text = " ".join(utterance.text.split())
        if not text:
            continue
        duration = max(0.0, utterance.end - utterance.start)
        offset = 0
        for part in _SENTENCE_END.split(text):
            position = text.find(part, offset)
            offset = position + len(part)
            sentences.append(
                Sentence(
                    text=part,
                    start=round(utterance.start + duration * position / len(text), 2),
                    end=round(utterance.start + duration * offset / len(text), 2),
                    speaker=utterance.speaker,
                    is_host=utterance.is_host,
                    utterance=index,
                )
            )
    return sentences


# --- key terms and topics -----------------------------------------------------------------------

_INTRODUCTION = re.compile(
    r"\b(?:(?:today|now|next|first|then)\b[^.?!]{0,20}?\b(?:cover|discuss|look at|talk about|study|introduce|turn to|"
    r"move on to|start with|learn about)|(?:lecture|topic|subject|focus|chapter)\b[^.?!]{0,25}?\b(?:is|are|on|about)|"
    r"let's (?:talk about|look at|discuss|turn to|move on to|start with)|we (?:look at|cover|discuss|study|"
    r"turn to)|called|known as)\s+(?:the |a |an )?(?P<term>[^.,;?!]+)",
    re.IGNORECASE,
)


# A lecturer announcing a topic, at the start of a sentence: "Today we cover X", "Next, let's talk
# about X", "In this lecture we look at X", "Our topic today is X".
_TOPIC = re.compile(
    r"^(?:(?:so|okay|ok|now|next|first|then|alright|right|and|today|finally)[,\s]+)*"
    r"(?:in this (?:lecture|class|session|part|section)[,\s]+)?(?:today[,\s]+)?"
    r"(?:we(?:'ll| will| are going to|'re going to)?\s+(?:look at|cover|discuss|study|turn to|talk about|move on to|"
    r"start with|learn about)|let's\s+(?:talk about|look at|discuss|turn to|move on to|start with)|"
    r"(?:our|the) (?:topic|subject|focus)(?: for)?(?: today)? is)\s+(?:the |a |an )?(?P<term>[^.,;?!]+)",
    re.IGNORECASE,
)


@dataclass
class _Candidate:
    words: tuple[str, ...]  # as said, first time
    key: tuple[str, ...]
    count: int = 0
    first: float = 0.0
    introduced: bool = False
    proper: bool = False

    @property
    def text(self) -> str:
        return " ".join(self.words)

    @property
    def score(self) -> float:
        # a phrase of several content words is far more often a term than a lone word said as often
        frequency = self.count if len(self.key) > 1 else 0.6 * self.count
        bonus = 1.5 * min(len(self.key) - 1, 2) + (3.0 if self.introduced else 0.0) + (1.0 if self.proper else 0.0)
        long_word = any(len(word) >= 7 for word in self.key)
        return frequency + bonus + (0.5 if long_word else 0.0)


def _phrases(sentence: str) -> list[list[str]]:
    """Runs of content words in a sentence, at most four long (the last four: a noun phrase's head is last).

    Ordinals join a phrase ("breadth first search") but never start or end one.
    """
    runs: list[list[str]] = []

    def close(run: list[str]) -> None:
        while run and _norm(run[0]) in _INNER_ONLY:
            run = run[1:]
        while run and _norm(run[-1]) in _INNER_ONLY:
            run = run[:-1]
        if run:
            runs.append(run[-4:])

    for clause in _CLAUSE_BREAK.split(sentence):
        run: list[str] = []
        for word in _WORD.findall(clause):
            word = word.strip("'’-")
            if word and (_norm(word) in _INNER_ONLY or not _is_breaker(word)):
                run.append(word)
            else:
                close(run)
                run = []
        close(run)
    return runs


def _term_key(words: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    return tuple(_stem(word) for word in words)


def key_terms(sentences: list[Sentence], *, limit: int) -> list[KeyTerm]:
    candidates: dict[tuple[str, ...], _Candidate] = {}
    for sentence in sentences:
        first_word = True
        for run in _phrases(sentence.text):
            key = _term_key(run)
            candidate = candidates.get(key)
            if candidate is None:
                candidate = candidates[key] = _Candidate(words=tuple(run), key=key, first=sentence.start)
            candidate.count += 1
            starts_sentence = first_word and sentence.text.lstrip().startswith(run[0])
            if any(word[0].isupper() for word in (run[1:] if starts_sentence else run)):
                candidate.proper = True
            first_word = False
        for match in _INTRODUCTION.finditer(sentence.text):
            runs = _phrases(match.group("term"))
            if runs:
                introduced = candidates.get(_term_key(runs[0]))
                if introduced is not None:
                    introduced.introduced = True
    eligible = [
        c
        for c in candidates.values()
        if len(c.key) > 1
        or (_norm(c.words[0]) not in _GENERIC and (c.count > 1 or c.introduced or len(c.words[0]) >= 7))
    ]
    ranked = sorted(eligible, key=lambda c: (-c.score, c.first))
    chosen: list[_Candidate] = []
    for candidate in ranked:
        if len(chosen) >= limit:
            break
        # "blood cells" adds nothing next to "white blood cells" unless it also stands on its own often
        if any(_contains(kept.key, candidate.key) and candidate.count <= kept.count + 1 for kept in chosen):
            continue
        chosen.append(candidate)
    return [KeyTerm(term=_display(c), start=c.first) for c in sorted(chosen, key=lambda c: c.first)]


def _contains(longer: tuple[str, ...], shorter: tuple[str, ...]) -> bool:
    size = len(shorter)
    return len(longer) > size and any(longer[i : i + size] == shorter for i in range(len(longer) - size + 1))


def _display(candidate: _Candidate) -> str:
    """As said, but lower-case unless it is a name ("Le Chatelier's principle" keeps its capitals)."""
    if candidate.proper:
        return candidate.text
    return " ".join(word.lower() for word in candidate.words)


def topics(sentences: list[Sentence], terms: list[KeyTerm], *, duration: float) -> list[Point]:
    """What the lecturer announced, else the leading new key term of each ten-minute stretch."""
    points: list[Point] = []
    seen: set[tuple[str, ...]] = set()
    lecturer = [s for s in sentences if s.is_host] or sentences
    for sentence in lecturer:
        for match in _TOPIC.finditer(sentence.text.strip()):
            runs = _phrases(match.group("term"))
            if not runs:
                continue
            key = _term_key(runs[0])
            if key in seen:
                continue
            seen.add(key)
            phrase = " ".join(runs[0])
            points.append(Point(text=phrase[0].upper() + phrase[1:], start=sentence.start))
    stretch = 600.0
    for index in range(int(duration // stretch) + 1):
        begin, end = index * stretch, (index + 1) * stretch
        if any(begin <= p.start < end for p in points):
            continue
        for term in terms:
            key = _term_key(term.term.split())
            if begin <= term.start < end and key not in seen:
                seen.add(key)
                points.append(Point(text=term.term[0].upper() + term.term[1:], start=term.start))
                break
    return sorted(points, key=lambda p: p.start)


# --- action items -------------------------------------------------------------------------------

_DAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_MONTH = r"(?:january|february|march|april|may|june|july|august|september|october|november|december)"
_CLOCK = r"(?:(?:at|by|before)\s+(?:noon|midnight|\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.|o'clock)?))"
_ORDINAL = r"\d{1,2}(?:st|nd|rd|th)?"
_DEADLINES = [
    rf"(?:next|this|coming)\s+(?:{_DAY}|week(?:end)?|month|class|lecture|session|time)(?:\s+(?:morning|afternoon|evening|night))?(?:\s+{_CLOCK})?",
    rf"(?:on|by|before|until|due)\s+(?:the\s+)?{_DAY}(?:\s+(?:morning|afternoon|evening|night))?(?:\s+{_CLOCK})?",
    rf"(?:tomorrow|tonight)(?:\s+(?:morning|afternoon|evening))?(?:\s+{_CLOCK})?",
    r"(?:by|before|until|at)\s+the\s+end\s+of\s+(?:the|this|next)\s+(?:week|month|semester|term|class|lecture)",
    r"(?:in|within)\s+(?:a|one|two|three|four|\d+)\s+(?:days?|weeks?)",
    rf"(?:on|by|before|until|due)\s+(?:{_MONTH}\s+{_ORDINAL}|the\s+{_ORDINAL}(?:\s+of\s+{_MONTH})?)",
]
_DEADLINE = re.compile("|".join(f"(?:{pattern})" for pattern in _DEADLINES), re.IGNORECASE)
_LEADING_PREPOSITION = re.compile(r"^(?:on|by|before|until|at|due)\s+(?:the\s+)?(?=\w)", re.IGNORECASE)
_WORK = re.compile(
    r"\b(?:homework|assignment|problem set|exercise|reading|essay|report|project|lab|quiz|paper|chapter|"
    r"article|worksheet|presentation|due|deadline|submit|hand in|turn in)\b",
    re.IGNORECASE,
)
_IMPERATIVE = re.compile(
    r"^(?:(?:for|by|before|until)\s+[^,]{1,30},\s*)?"  # "For next week, read …"
    r"(?:(?:so|and|now|also|ok|okay|then|remember|don't forget|please)[\s,]+(?:to\s+)?)*(?:please\s+)?"
    r"(?:read|implement|submit|finish|complete|prepare|bring|review|write|do|study|practi[cs]e|solve|watch|"
    r"hand in|turn in|upload|send|email|try|work on|start|make sure|look over|go over|redo|answer|think about)\b",
    re.IGNORECASE,
)


def find_deadline(text: str) -> str:
    """The deadline as said ("next Monday at noon"), or "" when the sentence names none."""
    matches = [m.group(0) for m in _DEADLINE.finditer(text)]
    if not matches:
        return ""
    longest = max(matches, key=len)
    return _LEADING_PREPOSITION.sub("", longest).strip()


def action_items(sentences: list[Sentence]) -> list[ActionItem]:
    items = []
    seen: set[str] = set()
    for sentence in [s for s in sentences if s.is_host] or sentences:
        text = sentence.text.strip()
        deadline = find_deadline(text)
        assigns_work = bool(_IMPERATIVE.search(text)) or bool(_WORK.search(text))
        if not (assigns_work and (deadline or (_IMPERATIVE.search(text) and _WORK.search(text)))):
            continue
        key = text.lower()
        if key in seen:
            continue
        seen.add(key)
        items.append(ActionItem(text=text, deadline=deadline, start=sentence.start))
    return items


# --- questions ----------------------------------------------------------------------------------

_LEAD_IN = re.compile(
    r"^(?:(?:excuse me|sorry|so|and|but|um|uh|okay|ok|yes|hi|hello|professor|sir|madam|doctor|dr\.?|"
    r"quick question|one more thing)[\s,.!]+)+",
    re.IGNORECASE,
)
_ASKS = re.compile(
    r"^(?:what|why|how|when|where|which|who|whom|whose|can|could|would|will|is|are|was|were|do|does|did|"
    r"should|shall|may|might|isn't|aren't|don't|doesn't|didn't|won't|wouldn't|couldn't|have|has)\b",
    re.IGNORECASE,
)
_WONDERS = re.compile(r"\b(?:I have a question|I was wondering|I don't understand|I didn't understand)\b", re.I)
_REPLY = re.compile(
    r"^(?:good|great|excellent|interesting|fair|nice) question|^(?:yes|no|yeah|right|exactly|correct|"
    r"that's right|sure|it depends|the answer|so the answer|because|well)\b",
    re.IGNORECASE,
)
ANSWER_WITHIN_SECONDS = 30.0  # the lecturer's reply starts this soon after the question, or never


def is_question(text: str) -> bool:
    stripped = _LEAD_IN.sub("", text.strip())
    return text.rstrip().endswith("?") or bool(_ASKS.match(stripped)) or bool(_WONDERS.search(text))


def questions(sentences: list[Sentence]) -> list[Question]:
    """Students' questions, merged per utterance, each answered when a lecturer's reply follows."""
    asked: list[list[Sentence]] = []
    for sentence in sentences:
        if sentence.is_host or not is_question(sentence.text):
            continue
        if asked and asked[-1][-1].utterance == sentence.utterance:
            asked[-1].append(sentence)
        else:
            asked.append([sentence])
    found = []
    for parts in asked:
        first, last = parts[0], parts[-1]
        lead = [s for s in sentences if s.utterance == first.utterance and s.start < first.start]
        text = " ".join(s.text for s in [*lead, *parts])
        answer = _answer(sentences, text, after=last)
        found.append(
            Question(
                text=text,
                asked_by=first.speaker,
                start=(lead or parts)[0].start,
                answered=answer is not None,
                answer_start=answer.start if answer else None,
            )
        )
    return found


def _answer(sentences: list[Sentence], question: str, *, after: Sentence) -> Sentence | None:
    """The lecturer's next utterance, if it answers: it says so ("Good question", "Yes, …") or
    it takes up at least half the question's words (two at least)."""
    reply = [s for s in sentences if s.utterance > after.utterance and s.is_host and s.start >= after.end - 0.5]
    if not reply or reply[0].start > after.end + ANSWER_WITHIN_SECONDS:
        return None
    first = reply[0]
    if any(after.utterance < s.utterance < first.utterance and not s.is_host for s in sentences):
        return None  # another student spoke first
    asked = content_words(question)
    said = content_words(" ".join(s.text for s in reply if s.utterance == first.utterance))
    shared = asked & said
    if _REPLY.match(first.text.strip()) or (len(shared) >= 2 and len(shared) * 2 >= len(asked)):
        return first
    return None


# --- the summary --------------------------------------------------------------------------------


def _minutes(seconds: float) -> str:
    minutes = round(seconds / 60)
    return "under a minute" if minutes < 1 else "1 minute" if minutes == 1 else f"{minutes} minutes"


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def overview(utterances: list[Utterance], points: list[Point], items: list[ActionItem], asked: list[Question]) -> str:
    hosts = list(dict.fromkeys(u.speaker for u in utterances if u.is_host)) or ["The lecturer"]
    duration = max(u.end for u in utterances) - min(u.start for u in utterances)
    subjects = [p.text[0].lower() + p.text[1:] if not p.text.isupper() else p.text for p in points[:4]]
    parts = [
        f"{_join(hosts)} spoke about {_join(subjects)} ({_minutes(duration)})."
        if subjects
        else f"{_join(hosts)} spoke for {_minutes(duration)}."
    ]
    if asked:
        open_count = sum(not q.answered for q in asked)
        parts.append(
            f"Students asked {len(asked)} question{'s' if len(asked) != 1 else ''}"
            + (f", {open_count} of them without an answer." if open_count else ", all answered.")
        )
    if items:
        due = [i for i in items if i.deadline]
        parts.append(
            f"{len(items)} action item{'s' if len(items) != 1 else ''}"
            + (f", the first due {due[0].deadline}." if due else ".")
        )
    return " ".join(parts)


def summarize(utterances: list[Utterance]) -> Summary:
    """The offline summary of a lecture's transcript."""
    generated_at = datetime.now(tz=UTC).isoformat()
    utterances = [u for u in utterances if u.text.strip()]
    if not utterances:
        return Summary(
            overview="Nothing was transcribed in this lecture.", provider="local", note="", generated_at=generated_at
        )
    if not any(u.is_host for u in utterances):
        # Without roles, whoever spoke the most is taken for the lecturer.
        talk: Counter[str] = Counter()
        for u in utterances:
            talk[u.identity] += len(u.text)
        lecturer = talk.most_common(1)[0][0]
        utterances = [
            Utterance(u.speaker, u.identity, u.identity == lecturer, u.start, u.end, u.text) for u in utterances
        ]
    sentences = split_sentences(utterances)
    duration = max(u.end for u in utterances)
    terms = key_terms(sentences, limit=max(10, min(20, len(sentences) // 8)))
    points = topics(sentences, terms, duration=duration)
    items = action_items(sentences)
    asked = questions(sentences)
    return Summary(
        overview=overview(utterances, points, items, asked),
        topics=points,
        key_terms=terms,
        action_items=items,
        questions=asked,
        provider="local",
        note="",
        generated_at=generated_at,
    )
