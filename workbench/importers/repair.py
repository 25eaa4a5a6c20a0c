"""Repair of text extracted from PDFs: page furniture out, paragraphs and words put back together.

Applied to every PDF and to plain text that shows the signs of PDF extraction. The passes:

1. Lines: trailing spaces dropped; a line that starts with a single space marks a page break
   (the page may start in the middle of a paragraph, so it is not a new paragraph by itself).
2. Page furniture: bare page-number lines ("12", "- 12 -", "Side 3 af 10") and running
   headers/footers (the same line on several pages, perhaps with a changing page number) go.
3. Double spacing: when a blank line follows almost every line, single blank lines are
   dropped; longer runs still separate paragraphs, and if there are none, a short line that
   ends a sentence ends a paragraph.
4. Blocks: a block that starts in lower case continues the paragraph it was cut from (across a
   stray blank line or a page break); short margin headings that interrupted a sentence are
   moved after the paragraph they interrupted.
5. Lines inside a paragraph are joined with a space; a hyphen at a line end is removed only
   when the joined word is Danish (lexicon, or a compound of two lexicon words with an optional
   linking s/e); real hyphens stay ("0-fejlskultur", "hands-on", "EU- og OECD-landene"). Words
   split over two lines without a hyphen are rejoined when the lexicon says so.
6. Bullets (•, o, –, -, *), numbered items and headings start their own paragraphs.

The original text is kept by the caller; this module returns the repaired text and a record of
what each rule did: ``{"rule": "hyphen_join", "count": 187, "examples": [...]}``.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field

from workbench.importers.lexicon import is_compound, is_word

_MAX_EXAMPLES = 5
_PAGE_NUMBER = re.compile(
    r"^(?:[-–—]\s*)?(?:(?:side|page|s\.)\s*)?\d{1,4}(?:\s*(?:/|af|of)\s*\d{1,4})?(?:\s*[-–—])?$",
    re.IGNORECASE,
)
_STRONG_BULLET = re.compile(r"^[•▪◦●■►✓]\s*\S")
_WEAK_BULLET = re.compile(r"^(?:[-–—*·]|o(?=\s))\s+\S")
_ENUMERATOR = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})+\.?|\d{1,2}[.)]|[a-zA-Z][.)])\s+\S")
_SPEAKER = re.compile(
    r"^(?:[\[(]?(?:\d{1,2}:)?\d{1,2}:\d{2}[\])]?\s*)?"
    r"[A-ZÆØÅ][\w'’-]*(?: [A-ZÆØÅ][\w'’-]*){0,3}\s*(?:\((?:\d{1,2}:)?\d{1,2}:\d{2}\))?:\s"
)
_KNOWN_SPEAKERS = {"i", "r", "interviewer", "informant", "int", "ip", "moderator", "deltager"}
_SENTENCE_END = re.compile(r"[.!?…:;][\"”»«)\]]*$")
_HYPHEN_END = re.compile(r"(?<=\w)-$")
_LAST_TOKEN = re.compile(r"(\S+)$")
_WORD_BEFORE_HYPHEN = re.compile(r"(\w+)-$")
_FIRST_WORD = re.compile(r"^\w+")
_LAST_LETTERS = re.compile(r"(?<![\w-])([^\W\d_]{2,})$")
_FIRST_LETTERS = re.compile(r"^([^\W\d_]{2,})(?![\w-])")
_LEADER = re.compile(r"(?:\.\s?){4,}\s*\d+$|…\s*\d+$")
_URL = re.compile(r"^(?:\w+://|www\.|mailto:)")
_CAPITALS = re.compile(r"^[^\w]*[A-ZÆØÅ]{2,}(?:\W+[A-ZÆØÅ]{2,})+\W*$")
_SUSPENDED = {"og", "eller", "samt", "el", "resp", "hhv", "&", "såvel", "men", "til"}
# Words that stand alone far more often than they begin a compound split over two lines
# ("om rådet" is read as two words, "under støtter" as one only with evidence).
_FUNCTION_WORDS = set("""
i og at en et det der som er var har de den til på med for af om men så kan vil skal ikke
sig man vi jeg du han hun alle fra over under op ud ind mod efter ved eller hvis når hvor
også meget mere nu her da dog end jo nok kun sin sit sine selv
""".split())
_MARGIN_WORDS = 6
_MARGIN_LINES = 3


@dataclass
class _Log:
    counts: Counter = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    order: list[str] = field(default_factory=list)

    def add(self, rule: str, example: str | None = None, count: int = 1) -> None:
        if rule not in self.counts:
            self.order.append(rule)
        self.counts[rule] += count
        if example is not None:
            examples = self.examples[rule]
            if len(examples) < _MAX_EXAMPLES and example not in examples:
                examples.append(example)

    def as_list(self) -> list[dict]:
        return [{"rule": r, "count": self.counts[r], "examples": list(self.examples.get(r, []))}
                for r in self.order if self.counts[r]]


@dataclass
class _Line:
    text: str
    page_break: bool = False
    removed: bool = False
    # The line ends without the trailing space that ends every other line of the file: the
    # extractor dropped a soft hyphen here, so the word continues on the next line.
    bare: bool = False


@dataclass
class _Block:
    lines: list[str]
    page_break: bool = False
    bare: list[bool] = field(default_factory=list)


# Patterns for the quick PDF-signs check. Each starts with a literal character, which lets the
# regular-expression engine skip through ordinary text at memory-scan speed.
_SIGN_PAGE_BREAK = re.compile(r"\n (?=\S)")
_SIGN_HYPHEN = re.compile(r"-[ \t]*\n[ \t]*[a-zæøå]")
_SIGN_NUMBER_LINE = re.compile(r"\n[ \t]*\d{1,4}[ \t]*(?=\n|$)")
_SIGN_BLANK = re.compile(r"\n[ \t]*(?=\n)")
_SIGN_DOUBLE_BLANK = re.compile(r"\n[ \t]*\n[ \t]*(?=\n)")
_SIGN_RUN_ON = re.compile(r"\n[ \t]*\n[ \t]*[a-zæøå]")


def _count_after(pattern: re.Pattern[str], text: str, test, limit: int = 1000) -> int:
    """Matches of ``pattern`` whose preceding non-space character passes ``test``."""
    count = 0
    for match in pattern.finditer(text):
        start = match.start()
        before = text[max(0, start - 200):start].rstrip(" \t")[-1:]
        if before and test(before):
            count += 1
            if count >= limit:
                break
    return count


def looks_pdf_extracted(text: str) -> bool:
    """True when plain text shows the signs of having been extracted from a PDF.

    The signs: lines that start with a single space (page breaks), bare page-number lines,
    many words hyphenated at line ends, and double spacing with sentences running on across
    the blank lines. Counted with literal-led regular expressions, so the check costs little
    on ordinary files.
    """
    lines = text.count("\n") + 1
    if lines < 5:
        return False
    blank = len(_SIGN_BLANK.findall(text))
    nonblank = lines - blank
    page_breaks = len(_SIGN_PAGE_BREAK.findall(text))
    page_breaks += text[:1] == " " and text[1:2].strip() != ""
    if 3 <= page_breaks <= nonblank * 0.3:
        return True
    hyphens = _count_after(_SIGN_HYPHEN, text, lambda ch: ch.isalpha()) \
        if "-\n" in text or "- \n" in text else 0
    if hyphens >= 3 and hyphens >= nonblank * 0.02:
        return True
    signs = (page_breaks >= 2) + (hyphens >= 2) + (len(_SIGN_NUMBER_LINE.findall(text)) >= 2)
    single_gaps = blank - 2 * len(_SIGN_DOUBLE_BLANK.findall(text))
    if nonblank >= 8 and single_gaps >= nonblank * 0.5:
        # Double spacing; with sentences running on across the blank lines it is PDF output,
        # not a file that merely puts one paragraph on each line.
        running_on = _count_after(_SIGN_RUN_ON, text, lambda ch: ch.isalnum() or ch == ",")
        if running_on >= 2 and running_on >= single_gaps * 0.1:
            return True
        signs += 1
    return signs >= 2


def _ends_sentence(line: str) -> bool:
    return bool(_SENTENCE_END.search(line))


def _width(lines: list[_Line]) -> int:
    lengths = sorted(len(line.text) for line in lines if line.text and not line.removed)
    if not lengths:
        return 1
    return max(1, lengths[int(len(lengths) * 0.9) - 1 if len(lengths) > 1 else 0])


def _read_lines(text: str, page_starts: Collection[int], log: _Log) -> list[_Line]:
    lines = []
    spaced = ends = 0
    for index, raw in enumerate(text.split("\n")):
        stripped = raw.strip()
        if stripped and raw.rstrip() != raw:
            log.add("trailing_spaces")
        if stripped and not stripped.endswith("-"):
            ends += 1
            spaced += raw[-1:].isspace()
        page_break = index in page_starts or (raw.startswith(" ") and raw[1:2].strip() != "")
        lines.append(_Line(stripped, page_break, bare=bool(stripped) and not raw[-1:].isspace()))
    if not ends or spaced < ends * 0.6:
        for line in lines:  # no trailing-space convention: a bare line end means nothing
            line.bare = False
    return lines


def _drop_page_numbers(lines: list[_Line], log: _Log) -> None:
    last = len(lines) - 1
    for index, line in enumerate(lines):
        if not line.text or not _PAGE_NUMBER.match(line.text):
            continue
        before = index == 0 or not lines[index - 1].text or line.page_break
        after = index == last or not lines[index + 1].text or lines[index + 1].page_break
        if before or after:
            line.removed = True
            log.add("page_number", line.text)
            _mark_next_page(lines, index)


def _mark_next_page(lines: list[_Line], index: int) -> None:
    for following in lines[index + 1:]:
        if following.text and not following.removed:
            following.page_break = True
            return


def _header_key(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"\d+", "#", text)).strip().lower()


def _drop_running_headers(lines: list[_Line], log: _Log) -> None:
    kept = [i for i, line in enumerate(lines) if line.text and not line.removed]
    position = {line_index: pos for pos, line_index in enumerate(kept)}
    groups: dict[str, list[int]] = defaultdict(list)
    for i in kept:
        text = lines[i].text
        if len(text) <= 150 and re.search(r"[^\W\d_]", text) and not _STRONG_BULLET.match(text) \
                and not _WEAK_BULLET.match(text):
            groups[_header_key(text)].append(i)
    groups = {k: v for k, v in groups.items() if len(v) >= 2}
    if not groups:
        return
    markers = {i for i in kept if lines[i].page_break}
    markers.update(i for i, line in enumerate(lines) if line.removed)
    confirmed: set[str] = set()

    def near_marker(i: int) -> bool:
        pos = position[i]
        if lines[i].page_break or pos <= 1 or pos >= len(kept) - 2:
            return True  # the document's first and last lines are page edges too
        for other in kept[max(0, pos - 2): pos + 3]:
            if other != i and (other in markers):
                return True
        # a removed page number or header between this line and its neighbours
        lo = kept[max(0, pos - 2)]
        hi = kept[min(len(kept) - 1, pos + 2)]
        return any(lines[j].removed for j in range(lo, hi + 1))

    for key, members in groups.items():
        texts = {lines[i].text for i in members}
        words = len(lines[members[0]].text.split())
        numbered = all(re.search(r"(?:^\d+\s|\s\d+$)", lines[i].text) for i in members)
        if len(texts) >= 2 and numbered and words >= 3:
            confirmed.add(key)
        elif len(members) >= 4 and words <= 12 and not _ends_sentence(lines[members[0]].text) \
                and all(_stands_alone(lines, i) for i in members):
            confirmed.add(key)
    changed = True
    while changed:
        changed = False
        for key in confirmed:
            markers.update(groups[key])
        for key, members in groups.items():
            if key not in confirmed and all(near_marker(i) for i in members):
                confirmed.add(key)
                changed = True
    for key in confirmed:
        for i in groups[key]:
            lines[i].removed = True
            log.add("running_header", lines[i].text)
            _mark_next_page(lines, i)


def _stands_alone(lines: list[_Line], i: int) -> bool:
    before = i == 0 or not lines[i - 1].text or lines[i - 1].removed
    after = i == len(lines) - 1 or not lines[i + 1].text or lines[i + 1].removed
    return before and after


def _undouble(lines: list[_Line], log: _Log) -> tuple[list[_Line], bool]:
    """Drop the blank line after every line of double-spaced text.

    Returns:
        The lines and whether paragraphs must be found from punctuation (no longer blank runs).
    """
    kept = [line for line in lines if not line.removed]
    nonblank = sum(1 for line in kept if line.text)
    single = adjacent = 0
    for a, b, c in zip(kept, kept[1:], kept[2:], strict=False):
        if a.text and not b.text and c.text:
            single += 1
    for a, b in zip(kept, kept[1:], strict=False):
        if a.text and b.text:
            adjacent += 1
    if nonblank < 8 or single < nonblank * 0.5 or adjacent > nonblank * 0.35:
        return kept, False
    result: list[_Line] = []
    runs = 0
    run: list[_Line] = []
    sentinel = _Line("end")
    for line in [*kept, sentinel]:
        if not line.text:
            run.append(line)
            continue
        if line is sentinel or not result:
            pass  # blank lines at the start or end separate nothing
        elif len(run) == 1:
            log.add("double_spacing")
        elif len(run) >= 2:
            runs += 1
            result.append(_Line(""))
            log.add("double_spacing", count=len(run) - 1)
        run = []
        result.append(line)
    result.pop()
    return result, runs < max(2, nonblank // 40)


def _blocks(lines: list[_Line]) -> list[_Block]:
    blocks: list[_Block] = []
    current: _Block | None = None
    for line in lines:
        if line.removed:
            continue
        if not line.text:
            current = None
            continue
        if current is None or line.page_break:
            current = _Block([], line.page_break)
            blocks.append(current)
        current.lines.append(line.text)
        current.bare.append(line.bare)
    return blocks


def _is_margin(block: _Block, width: int) -> bool:
    if len(block.lines) > _MARGIN_LINES:
        return False
    words = sum(len(line.split()) for line in block.lines)
    return (words <= _MARGIN_WORDS + 2 and all(len(line) < width * 0.5 for line in block.lines)
            and not any(_ends_sentence(line) for line in block.lines)
            and not _STRONG_BULLET.match(block.lines[0]) and not _WEAK_BULLET.match(block.lines[0]))


def _starts_item(line: str) -> bool:
    return bool(_STRONG_BULLET.match(line) or _WEAK_BULLET.match(line) or _SPEAKER.match(line)
                or _ENUMERATOR.match(line))


def _merge_blocks(blocks: list[_Block], width: int, log: _Log) -> list[_Block]:
    merged: list[_Block] = []
    for block in blocks:
        first = block.lines[0]
        target = None
        if merged and not _starts_item(first):
            last = merged[-1]
            if first[:1].islower() and not _URL.match(first):
                target = len(merged) - 1
                if _is_margin(last, width):
                    for back in range(2, min(len(merged), 5) + 1):
                        candidate = merged[-back]
                        if not _is_margin(candidate, width):
                            if not _ends_sentence(candidate.lines[-1]):
                                target = len(merged) - back
                            break
            elif block.page_break and not _is_margin(last, width) \
                    and not _ends_sentence(last.lines[-1]) \
                    and (len(last.lines) >= 2 or len(last.lines[-1]) >= width * 0.6) \
                    and not _ENUMERATOR.match(first) and not _URL.match(first) \
                    and not _CAPITALS.match(first):
                target = len(merged) - 1
        if target is None:
            merged.append(block)
            continue
        if target < len(merged) - 1:
            log.add("margin_heading_moved", " / ".join(" ".join(b.lines)
                                                        for b in merged[target + 1:]))
        rule = "page_break_joined" if block.page_break else "paragraph_rejoined"
        log.add(rule, f"{merged[target].lines[-1][-30:]}|{first[:30]}")
        merged[target].lines.extend(block.lines)
        merged[target].bare.extend(block.bare)
    return merged


class _Joiner:
    """Joins the lines of a paragraph, deciding what to do with each line end."""

    def __init__(self, log: _Log, evidence: bool) -> None:
        self.log = log
        self.evidence = evidence

    def join(self, left: str, right: str, bare: bool = False) -> str:
        """Join two lines; ``bare`` says the left line lost its trailing space (soft hyphen)."""
        if _HYPHEN_END.search(left):
            return self._hyphen(left, right)
        if left.endswith("/") and right[:1].isalnum():
            return left + right  # "kommunalt/" + "regionalt": a slash wraps without a space
        split = _split_word(left, right)
        if split and (bare and _bare_join(*split) or self._join_split(*split)):
            word = split[0] + split[1]
            self.log.add("split_word_join", f"{split[0]}|{split[1]} → {word}")
            return left + right
        self.log.add("line_join")
        return f"{left} {right}"

    def _hyphen(self, left: str, right: str) -> str:
        head_match = _WORD_BEFORE_HYPHEN.search(left)
        tail_match = _FIRST_WORD.match(right)
        token = _LAST_TOKEN.search(left).group(1)
        if not head_match or not tail_match:
            self.log.add("hyphen_kept", f"{token}|{right.split()[0] if right.split() else ''}")
            return left + right
        head, tail = head_match.group(1), tail_match.group(0)
        shown = f"{token}|{tail}"
        if tail.lower() in _SUSPENDED:
            self.log.add("hyphen_kept", f"{shown} → {token} {tail}")
            return f"{left} {right}"
        # Prefixes in capitals or with digits ("EU-", "KOL-", "0-") and capitalised second
        # parts ("Task Force-Sekretariatet") are real hyphens.
        keep = any(ch.isdigit() for ch in head + tail) or head.isupper() or tail[:1].isupper()
        if not keep and (is_compound(head + tail) or _fragment(head, tail)):
            joined = head + tail
            self.log.add("hyphen_join", f"{head}-|{tail} → {joined}")
            return left[:-1] + right
        self.log.add("hyphen_kept", f"{shown} → {token}{tail}")
        return left + right

    def _join_split(self, head: str, tail: str) -> bool:
        """Whether "head tail" over a line end is one word that lost its soft hyphen.

        Joined only when the joined form is a known word: at once when a part cannot stand
        alone ("sund|hedsområdet"); two real words ("om rådet") only when the text shows lost
        soft hyphens elsewhere and neither is a common function word. A compound analysis is
        not enough here: the word list lacks many long words, and "fagprofessionelle selv"
        would become one word.
        """
        if not is_word(head + tail):
            return False
        head_word, tail_word = is_word(head), is_word(tail)
        if not head_word or not tail_word:
            return True
        return self.evidence and head.lower() not in _FUNCTION_WORDS \
            and tail.lower() not in _FUNCTION_WORDS


# Hyphenated loan words whose first part is no Danish word but whose hyphen is real.
_HYPHENATED_LOANS = {"hands-on", "follow-up", "know-how", "set-up", "check-in", "roll-out",
                     "drop-in", "start-up", "add-on", "walk-through", "stand-by", "face-to",
                     "non-profit", "high-tech", "low-tech", "e-mail", "e-boks", "self-service"}


def _fragment(head: str, tail: str) -> bool:
    """A line-end hyphen inside one word the word list lacks ("databehand-|leraftale").

    The part before the hyphen is no word of its own and both parts are lower case; a real
    hyphen follows a word, an abbreviation or a number ("0-fejlskultur", "EU-", "hands-on").
    """
    return (len(head) >= 3 and head.isalpha() and tail.isalpha() and head.islower()
            and tail.islower() and not is_word(head)
            and f"{head}-{tail}".lower() not in _HYPHENATED_LOANS)


def _bare_join(head: str, tail: str) -> bool:
    """Join over a line end that lost its soft hyphen when the joined form is a known word.

    Compounds made up on the spot are not enough ("kendte|løsninger" stays two words).
    """
    return is_word(head + tail)


def _split_word(left: str, right: str) -> tuple[str, str] | None:
    """The word ending ``left`` and the lower-case word starting ``right``, if both are letters."""
    head = _LAST_LETTERS.search(left)
    tail = _FIRST_LETTERS.match(right)
    if not head or not tail or not tail.group(1)[0].islower() or head.group(1).isupper():
        return None
    return head.group(1), tail.group(1)


def _soft_hyphen_evidence(blocks: list[_Block]) -> bool:
    """True when the text lost its soft hyphens: clear split words occur more than once."""
    clear = 0
    for block in blocks:
        for left, right in zip(block.lines, block.lines[1:], strict=False):
            if _HYPHEN_END.search(left):
                continue
            split = _split_word(left, right)
            if split and is_word(split[0] + split[1]) \
                    and not (is_word(split[0]) and is_word(split[1])):
                clear += 1
                if clear >= 2:
                    return True
    return False


def _breaks_before(previous: str, line: str, paragraph: list[str], width: int,
                   punctuation_paragraphs: bool) -> bool:
    """Whether ``line`` starts a new paragraph or item instead of continuing ``previous``."""
    if _STRONG_BULLET.match(line) or _LEADER.search(previous) or _LEADER.search(line):
        return True  # bullets, and table-of-contents entries ("Resumé ........ 2")
    if _WEAK_BULLET.match(line):
        # A dash at a line start may be a dash inside a wrapped sentence; it is a bullet after
        # a finished sentence or when the paragraph is itself an item with the same bullet.
        return _ends_sentence(previous) or paragraph[0].startswith(line[:1])
    if previous.endswith(":") and line[:1] in "”“„\"»«":
        return True  # a quote set off below its lead-in ("Den ledende overlæge siger:")
    if _ENUMERATOR.match(line) and (_ends_sentence(previous) or _ENUMERATOR.match(paragraph[0])):
        return True
    speaker = _SPEAKER.match(line)
    if speaker and (_ends_sentence(previous)
                    or line.split(":")[0].strip().lower() in _KNOWN_SPEAKERS):
        return True
    starts_upper = line[:1].isupper() or line[:1].isdigit()
    if len(paragraph) == 1 and starts_upper and not re.search(r"[.,;:-]$", previous):
        if _ENUMERATOR.match(previous):
            return True  # a numbered heading: "3. Innovationsspørgsmål som metode"
        if len(previous.split()) <= _MARGIN_WORDS and len(previous) < width * 0.5:
            return True
    if starts_upper and len(previous) < width * 0.7 and not re.search(r"[,;:-]$", previous) \
            and _last_word(previous) not in _FUNCTION_WORDS:
        return True  # full lines wrap; a clearly short line ends its paragraph or heading
    if starts_upper and re.search(r"[.!?…][\"”»)]*$", previous) \
            and len(previous) < width * (0.8 if punctuation_paragraphs else 0.6):
        return True  # a short line that ends a sentence ends its paragraph
    return False


def _last_word(line: str) -> str:
    words = line.split()
    return words[-1].lower() if words else ""


def _paragraphs(block: _Block, width: int,
                punctuation_paragraphs: bool) -> list[list[tuple[str, bool]]]:
    """Split a block's lines into paragraphs; each line comes with its ``bare`` flag."""
    paragraphs = [[(block.lines[0], block.bare[0])]]
    for line, bare in zip(block.lines[1:], block.bare[1:], strict=True):
        current = paragraphs[-1]
        texts = [text for text, _ in current]
        if _breaks_before(texts[-1], line, texts, width, punctuation_paragraphs):
            paragraphs.append([(line, bare)])
        else:
            current.append((line, bare))
    return paragraphs


def repair_text(text: str, page_starts: Collection[int] = ()) -> tuple[str, list[dict]]:
    """Repair PDF-extracted text.

    Args:
        text: normalised text (NFC, ``\\n``).
        page_starts: indexes of lines that begin a page, when the extractor knows them.

    Returns:
        The repaired text (paragraphs separated by a blank line, consecutive items by a line
        break) and the repairs made, one ``{"rule", "count", "examples"}`` dict per rule.
    """
    log = _Log()
    lines = _read_lines(text, set(page_starts), log)
    _drop_page_numbers(lines, log)
    _drop_running_headers(lines, log)
    width = _width(lines)
    lines, punctuation_paragraphs = _undouble(lines, log)
    blocks = _merge_blocks(_blocks(lines), width, log)
    joiner = _Joiner(log, _soft_hyphen_evidence(blocks))
    out: list[str] = []
    previous_item = False
    for block in blocks:
        for paragraph in _paragraphs(block, width, punctuation_paragraphs):
            joined, bare = paragraph[0]
            for line, line_bare in paragraph[1:]:
                joined = joiner.join(joined, line, bare)
                bare = line_bare
            is_item = bool(_STRONG_BULLET.match(joined) or _WEAK_BULLET.match(joined))
            if out:
                out.append("\n" if is_item and previous_item else "\n\n")
            out.append(joined)
            previous_item = is_item
    return "".join(out) + ("\n" if out else ""), log.as_list()
