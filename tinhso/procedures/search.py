"""The one retrieval engine of the catalogue: catalogue search and the assistant both ask it.

Portable by construction: a BM25F index over folded words, built in Python from the catalogue and kept in
memory, so PostgreSQL and SQLite answer alike. Each request checks one cheap signature query (row count, last
change, synonyms) and rebuilds the index only when the catalogue or the synonym table changed, so every process
of the server sees an edit at once.

What a query goes through:
1. folding: diacritics, case and punctuation away ("Đăng ký" = "dang ky"), then the i/y spelling variants
   ("đăng kí" = "đăng ký", "lý lịch" = "lí lịch"): a final y after a consonant is read as i;
2. synonyms (the `SearchSynonym` table): a citizen's phrase is replaced by the catalogue's words
   ("sổ đỏ" → "cấp giấy chứng nhận quyền sử dụng đất"); the phrase itself stays as an optional word;
3. intent: question words and filler ("cần những giấy tờ gì", "ở đâu", "bao lâu", "cho con") are recognised as
   what the citizen wants to know, and taken out of the words a procedure must match;
4. every remaining word matches itself, or, when the catalogue lacks it, the catalogue words one typing error
   away ("khai sihn" → "khai sinh") or the words it starts ("thuong" → "thương binh");
5. ranking: BM25F over name, keywords, field, result and papers (weighted in that order), plus adjacent word
   pairs, so "đăng ký khai sinh" ranks the procedure named so above one that merely mentions the words.
A procedure is a result when it covers most of the query's weight (`MIN_COVERAGE`); the others remain
close matches for suggestions.
"""

import bisect
import math
import re
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.db import connection

from tinhso.core.text import fold

from .choices import ImplementingLevel, OnlineLevel, TimeUnit
from .models import Procedure, ProcedureField, ProcedurePaper, SearchSynonym

# BM25 constants (the usual ones) and field weights: a word of the name says more than one of a paper's title.
K1 = 1.2
FIELD_WEIGHTS = {"name": 3.0, "code": 3.0, "keywords": 2.5, "field": 1.5, "result": 1.2, "papers": 0.6}
FIELD_B = {"name": 0.6, "code": 0.0, "keywords": 0.5, "field": 0.3, "result": 0.5, "papers": 0.75}
PAIR_WEIGHT = 1.0          # an adjacent word pair of the query found as a pair
OPTIONAL_WEIGHT = 0.3      # the citizen's own phrase kept beside its synonym, and intent words
TYPO_WEIGHT = 0.7
PREFIX_WEIGHT = 0.6
MAX_PREFIX_EXPANSIONS = 20
MIN_COVERAGE = 0.6         # share of the query's weight (idf) a procedure must match to be a result

_CONSONANT_Y = re.compile(r"^(?:b|c|ch|d|g|gh|h|k|kh|l|m|n|ng|nh|p|ph|qu|r|s|t|th|tr|v|x)y$")


def normalize_word(word: str) -> str:
    """'ky' -> 'ki', 'quy' -> 'qui'; 'tuy', 'hay', 'y' stay (their y is not the i/y variant)."""
    return word[:-1] + "i" if _CONSONANT_Y.match(word) else word


def words(text: str | None) -> list[str]:
    return [normalize_word(w) for w in fold(text).split()]


# --- intent --------------------------------------------------------------------------------------------------

class Intent:
    PAPERS = "papers"
    FEES = "fees"
    TIME = "time"
    WHERE = "where"
    ONLINE = "online"
    STEPS = "steps"
    RESULT = "result"


# Phrases (folded) that say what the citizen wants to know; longest first when matching.
INTENT_PHRASES = {
    Intent.PAPERS: ["can nhung giay to gi", "can nhung gi", "can giay to gi", "giay to gi", "nhung giay to nao",
                    "giay to nao", "ho so gom nhung gi", "ho so gom", "ho so can", "can gi", "thanh phan ho so",
                    "mang theo gi", "can mang theo", "chuan bi gi", "chuan bi nhung gi", "giay to", "ho so gi"],
    Intent.FEES: ["le phi", "bao nhieu tien", "het bao nhieu", "ton bao nhieu", "mat bao nhieu tien", "chi phi",
                  "phi", "mat phi", "mien phi", "tien", "co mat phi", "co mat tien", "co thu phi", "co mien phi",
                  "co phai nop phi"],
    Intent.TIME: ["bao lau", "mat bao lau", "bao nhieu ngay", "may ngay", "thoi han", "thoi gian giai quyet",
                  "bao gio co", "khi nao co", "khi nao nhan", "lau khong", "thoi gian"],
    Intent.WHERE: ["o dau", "nop o dau", "lam o dau", "noi nop", "co quan nao", "cho nao", "nop cho ai",
                   "den dau", "tai dau"],
    Intent.ONLINE: ["online", "truc tuyen", "qua mang", "dich vu cong", "tren mang", "nop qua mang",
                    "tai nha", "qua internet", "co lam online", "co nop online", "co nop truc tuyen"],
    Intent.STEPS: ["nhu the nao", "the nao", "ra sao", "cac buoc", "trinh tu", "quy trinh", "cach lam",
                   "lam sao", "lam the nao"],
    Intent.RESULT: ["nhan duoc gi", "ket qua"],
}
# Words that carry no catalogue meaning in a question ("tôi muốn làm ... cho con thì cần ...").
FILLER_PHRASES = ["cho con", "cho be", "cho chau", "con toi", "con minh", "cua con", "cho toi", "xin hoi",
                  "cho hoi", "thu tuc", "duoc khong", "co duoc", "con nua", "thi sao", "vui long", "giup toi",
                  "giup em", "co the", "muon biet", "hoi ve", "cho ong", "cho ba", "cho bo", "cho me", "cho vo",
                  "cho chong", "so can cuoc", "so dien thoai", "so dt"]
# Single words kept only as optional: never required of a procedure. Words that fold like catalogue words are
# left out ("đăng"/"đang", "chỉ"/"chị", "thẻ"/"thế", "hội"/"hỏi", "bản"/"bạn", "cơ"/"có").
FILLER_WORDS = {"toi", "minh", "em", "anh", "muon", "can", "phai", "nhung", "gi", "nao", "khong", "duoc", "thi",
                "sao", "la", "va", "de", "o", "dau", "bao", "lau", "nhieu", "cua", "a", "oi", "vay", "nhi", "lam",
                "xin", "cho", "nay", "do", "ay", "voi", "nhe", "ha", "giup", "ve", "con", "chua", "roi", "se", "nen",
                "khi", "neu", "ah", "u", "hoac", "hay", "cac", "gium", "biet", "ra", "nop", "them", "nua", "sdt"}


def _phrase_tuples(phrases) -> list[tuple[str, ...]]:
    return sorted({tuple(words(p)) for p in phrases}, key=len, reverse=True)


_INTENTS = [(intent, phrase) for intent, phrases in INTENT_PHRASES.items() for phrase in _phrase_tuples(phrases)]
_INTENTS.sort(key=lambda item: len(item[1]), reverse=True)
_FILLERS = _phrase_tuples(FILLER_PHRASES)
_FILLER_WORDS = {normalize_word(w) for w in FILLER_WORDS}


# --- the index -----------------------------------------------------------------------------------------------

@dataclass
class Row:
    """What a list row of the catalogue shows, kept with the index so a list needs no join."""

    id: int
    code: str
    name: str
    field_code: str
    field_name: str
    levels: list[str]
    online_level: str
    processing_time: int
    processing_time_unit: str
    fee_amount: int
    name_words: list[str]

    @cached_property
    def item(self) -> dict:
        """The list item of the API and the pages (`schemas.ProcedureOut`)."""
        return {"code": self.code, "name": self.name, "field": {"code": self.field_code, "name": self.field_name},
                "levels": self.levels,
                "level_labels": [ImplementingLevel(v).label for v in self.levels if v in ImplementingLevel.values],
                "online_level": self.online_level, "online_level_label": _label(OnlineLevel, self.online_level),
                "processing_time": self.processing_time, "processing_time_unit": self.processing_time_unit,
                "processing_time_unit_label": _label(TimeUnit, self.processing_time_unit),
                "fee_amount": self.fee_amount}


def _label(choices, value: str) -> str:
    return choices(value).label if value in choices.values else value


@dataclass
class Index:
    signature: tuple
    rows: list[Row]
    postings: dict[str, dict[int, float]]          # term -> {row position: BM25F weight}
    idf: dict[str, float]
    vocabulary: list[str]                           # sorted single words, for prefixes
    deletes: dict[str, set[str]]                    # one-deletion variants -> words, for typos
    synonyms: list[tuple[tuple[str, ...], list[str]]]
    order: list[int]                                # rows by field name, name, code
    by_id: dict[int, int] = field(default_factory=dict)


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def _edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Damerau–Levenshtein (adjacent transpositions), stopping early past `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2, prev = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if prev2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def _terms(tokens: list[str]) -> list[str]:
    return tokens + [f"{a}_{b}" for a, b in zip(tokens, tokens[1:], strict=False)]


def _signature() -> tuple:
    p, s = Procedure._meta.db_table, SearchSynonym._meta.db_table
    f, pp = ProcedureField._meta.db_table, ProcedurePaper._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM {p}), (SELECT MAX(updated_at) FROM {p}), (SELECT SUM(id) FROM {p}), "
            f"(SELECT COUNT(*) FROM {s}), (SELECT MAX(updated_at) FROM {s}), (SELECT SUM(id) FROM {s}), "
            f"(SELECT COUNT(*) FROM {f}), (SELECT MAX(id) FROM {pp})")
        return (connection.alias, *cursor.fetchone())


def _build(signature: tuple) -> Index:
    procedures = list(Procedure.objects.filter(is_active=True).select_related("field")
                      .only("code", "name", "levels", "online_level", "processing_time", "processing_time_unit",
                            "fee_amount", "result", "keywords", "field__code", "field__name"))
    papers: dict[int, list[str]] = defaultdict(list)
    for procedure_id, name in ProcedurePaper.objects.filter(procedure__is_active=True).values_list(
            "procedure_id", "name"):
        papers[procedure_id].append(name)
    rows, field_terms = [], []
    for p in procedures:
        texts = {"name": words(p.name), "code": fold(p.code).split(), "field": words(p.field.name),
                 "result": words(p.result), "keywords": [], "papers": []}
        keyword_terms, paper_terms = [], []
        for keyword in p.keywords or []:
            keyword_terms += _terms(words(keyword))
        for paper in papers.get(p.pk, []):
            paper_terms += _terms(words(paper))
        terms = {k: _terms(v) for k, v in texts.items()}
        terms["keywords"], terms["papers"] = keyword_terms, paper_terms
        field_terms.append(terms)
        rows.append(Row(id=p.pk, code=p.code, name=p.name, field_code=p.field.code, field_name=p.field.name,
                        levels=list(p.levels), online_level=p.online_level, processing_time=p.processing_time,
                        processing_time_unit=p.processing_time_unit, fee_amount=p.fee_amount,
                        name_words=texts["name"]))
    n = len(rows)
    average = {f: (sum(len(t[f]) for t in field_terms) / n if n else 1.0) or 1.0 for f in FIELD_WEIGHTS}
    weighted_tf: dict[str, dict[int, float]] = defaultdict(dict)
    for position, terms in enumerate(field_terms):
        for f, weight in FIELD_WEIGHTS.items():
            if not terms[f]:
                continue
            norm = 1 - FIELD_B[f] + FIELD_B[f] * len(terms[f]) / average[f]
            counts: dict[str, int] = defaultdict(int)
            for term in terms[f]:
                counts[term] += 1
            for term, count in counts.items():
                weighted_tf[term][position] = weighted_tf[term].get(position, 0.0) + weight * count / norm
    postings, idf = {}, {}
    for term, docs in weighted_tf.items():
        idf[term] = math.log(1 + (n - len(docs) + 0.5) / (len(docs) + 0.5))
        postings[term] = {d: idf[term] * tf * (K1 + 1) / (K1 + tf) for d, tf in docs.items()}
    vocabulary = sorted(t for t in postings if "_" not in t)
    deletes: dict[str, set[str]] = defaultdict(set)
    for word in vocabulary:
        if len(word) >= 3 and not word.isdigit():
            for variant in _deletions(word):
                deletes[variant].add(word)
    synonyms = []
    for phrase, expansion in SearchSynonym.objects.filter(is_active=True).values_list("phrase", "expansion"):
        key = tuple(words(phrase))
        if key:
            synonyms.append((key, words(expansion)))
    synonyms.sort(key=lambda item: len(item[0]), reverse=True)
    order = sorted(range(n), key=lambda i: (fold(rows[i].field_name), fold(rows[i].name), rows[i].code))
    return Index(signature=signature, rows=rows, postings=postings, idf=idf, vocabulary=vocabulary,
                 deletes=dict(deletes), synonyms=synonyms, order=order, by_id={r.id: i for i, r in enumerate(rows)})


_lock = threading.Lock()
_indexes: dict[str, Index] = {}


def catalogue_index() -> Index:
    """The index of the active catalogue, rebuilt when its signature changed since it was built."""
    signature = _signature()
    index = _indexes.get(connection.alias)
    if index is not None and index.signature == signature:
        return index
    with _lock:
        index = _indexes.get(connection.alias)
        if index is None or index.signature != signature:
            index = _indexes[connection.alias] = _build(signature)
    return index


# --- queries -------------------------------------------------------------------------------------------------

@dataclass
class Group:
    """One word of the query: the catalogue terms that may stand for it, each with a weight."""

    word: str
    alternatives: dict[str, float]
    required: bool = True
    weight: float = 1.0

    @property
    def best(self) -> str | None:
        return max(self.alternatives, key=self.alternatives.get) if self.alternatives else None


@dataclass
class ParsedQuery:
    text: str
    groups: list[Group]
    intents: list[str]
    synonyms_used: list[tuple[str, str]]
    unknown: list[str]

    @property
    def has_terms(self) -> bool:
        return any(g.required and g.alternatives for g in self.groups)


def _match_at(tokens: list[str], i: int, phrase: tuple[str, ...]) -> bool:
    return tuple(tokens[i:i + len(phrase)]) == phrase


def _alternatives(word: str, index: Index, *, last: bool) -> dict[str, float]:
    found: dict[str, float] = {}
    if word in index.postings:
        found[word] = 1.0
    if len(word) >= 2 and (last or not found) and not word.isdigit():
        start = bisect.bisect_left(index.vocabulary, word)
        for candidate in index.vocabulary[start:start + MAX_PREFIX_EXPANSIONS]:
            if not candidate.startswith(word):
                break
            found.setdefault(candidate, PREFIX_WEIGHT)
    if not found and len(word) >= 3 and not word.isdigit():
        limit = 1 if len(word) <= 5 else 2
        candidates = set(index.deletes.get(word, ())) | {c for v in _deletions(word) for c in index.deletes.get(v, ())}
        candidates |= {v for v in _deletions(word) if v in index.postings}
        for candidate in candidates:
            distance = _edit_distance(word, candidate, limit)
            if distance <= limit:
                found[candidate] = max(found.get(candidate, 0.0), TYPO_WEIGHT / distance)
    return found


def parse(text: str, index: Index) -> ParsedQuery:
    tokens = words(text)
    intents: list[str] = []
    synonyms_used: list[tuple[str, str]] = []
    pieces: list[tuple[str, str]] = []      # (kind, word): kind = content | optional
    i = 0
    while i < len(tokens):
        synonym = next(((p, e) for p, e in index.synonyms if _match_at(tokens, i, p)), None)
        if synonym is not None and len(synonym[0]) > 1:
            # "làm sổ đỏ": a longer phrase starting at the next word ("sổ đỏ" + more) wins over "làm sổ".
            following = next((p for p, _ in index.synonyms if _match_at(tokens, i + 1, p)), None)
            if following is not None and len(following) >= len(synonym[0]):
                synonym = None
        if synonym is not None:
            phrase, expansion = synonym
            synonyms_used.append((" ".join(phrase), " ".join(expansion)))
            pieces += [("content", w) for w in expansion] + [("optional", w) for w in phrase]
            i += len(phrase)
            continue
        intent = next(((name, p) for name, p in _INTENTS if _match_at(tokens, i, p)), None)
        if intent is not None:
            if intent[0] not in intents:
                intents.append(intent[0])
            pieces += [("optional", w) for w in intent[1] if w not in _FILLER_WORDS]
            i += len(intent[1])
            continue
        filler = next((p for p in _FILLERS if _match_at(tokens, i, p)), None)
        if filler is not None:
            i += len(filler)
            continue
        word = tokens[i]
        pieces.append(("optional" if word in _FILLER_WORDS else "content", word))
        i += 1
    content = [w for kind, w in pieces if kind == "content"]
    if not content and not intents:  # a query of filler only ("cho con"): its words are all there is to search
        pieces = [("content", w) for _, w in pieces if w not in _FILLER_WORDS] or pieces
        content = [w for kind, w in pieces if kind == "content"]
    groups, unknown, seen = [], [], set()
    last_content = len(content) - 1
    position = 0
    for kind, word in pieces:
        if (kind, word) in seen:
            continue
        seen.add((kind, word))
        is_last = kind == "content" and position == last_content
        if kind == "content":
            position += 1
        alternatives = _alternatives(word, index, last=is_last and not text.endswith(" "))
        if kind == "content" and not alternatives:
            unknown.append(word)
        groups.append(Group(word=word, alternatives=alternatives, required=kind == "content",
                            weight=1.0 if kind == "content" else OPTIONAL_WEIGHT))
    required = [g for g in groups if g.required and g.best]
    for a, b in zip(required, required[1:], strict=False):
        pair = f"{a.best}_{b.best}"
        if pair in index.postings:
            groups.append(Group(word=pair, alternatives={pair: 1.0}, required=False, weight=PAIR_WEIGHT))
    return ParsedQuery(text=text, groups=groups, intents=intents, synonyms_used=synonyms_used, unknown=unknown)


@dataclass
class Hit:
    row: Row
    score: float
    coverage: float


def rank(query: ParsedQuery, index: Index, *, allowed: set[int] | None = None, prune: bool = True) -> list[Hit]:
    """Procedures matching the query's words, best first; `coverage` tells results from close matches.

    With `prune`, only procedures that can still reach MIN_COVERAGE are scored: the rarest words go first, and
    once the words left weigh less than the coverage a procedure still lacks, a procedure none of the words seen
    so far matched cannot become a result, so the common words ("cấp", "giấy") are looked up for the candidates
    only instead of walking their long postings. Without it every procedure matching any word is ranked (for
    close matches when nothing is a result).
    """
    groups = []
    total = 0.0
    for group in query.groups:
        if not group.alternatives:
            continue
        # The word's own weight when the catalogue has it; a stand-in (prefix, typo) covers only its share.
        group_idf = index.idf[group.word] if group.word in group.alternatives else max(
            index.idf[t] for t in group.alternatives)
        if group.required:
            total += group_idf
        groups.append((group, group_idf))
    groups.sort(key=lambda item: (not item[0].required, -item[1]))
    scores: dict[int, float] = defaultdict(float)
    covered: dict[int, float] = defaultdict(float)
    candidates: set[int] | None = None
    remaining = total
    for group, group_idf in groups:
        best: dict[int, tuple[float, float]] = {}
        for term, weight in group.alternatives.items():
            postings = index.postings[term]
            if candidates is None:
                items = postings.items()
            else:
                items = ((doc, postings[doc]) for doc in candidates if doc in postings)
            for doc, value in items:
                value *= weight
                if value > best.get(doc, (0.0, 0.0))[0]:
                    best[doc] = (value, weight)
        for doc, (value, weight) in best.items():
            scores[doc] += group.weight * value
            if group.required:
                covered[doc] += group_idf * weight
        if group.required:
            remaining -= group_idf
            if prune and candidates is None and remaining < MIN_COVERAGE * total - 1e-9:
                candidates = set(scores)
    hits = []
    for doc, score in scores.items():
        row = index.rows[doc]
        if allowed is not None and row.id not in allowed:
            continue
        hits.append(Hit(row=row, score=score, coverage=covered[doc] / total if total else 0.0))
    hits.sort(key=lambda h: (-h.score, h.row.name, h.row.code))
    return hits


@dataclass
class SearchResult:
    query: ParsedQuery
    hits: list[Hit]                 # the results, best first
    close: list[Hit]                # when there is no result: the nearest procedures
    fields: list[tuple[str, str]]   # when there is no result: fields worth looking in (code, name)


def _diverse(ranked: list[Hit], size: int) -> list[Hit]:
    """The close matches: the best of each field first (a query mixing words of two fields gets both, not five
    variants of one procedure), then the best of the rest; in rank order."""
    chosen, fields = [], set()
    for hit in ranked:
        if len(chosen) == size:
            break
        if hit.row.field_code not in fields:
            fields.add(hit.row.field_code)
            chosen.append(hit)
    for hit in ranked:
        if len(chosen) == size:
            break
        if hit not in chosen:
            chosen.append(hit)
    order = {id(hit): i for i, hit in enumerate(ranked)}
    return sorted(chosen, key=lambda hit: order[id(hit)])


def search(text: str, *, allowed: set[int] | None = None, min_coverage: float = MIN_COVERAGE,
           index: Index | None = None) -> SearchResult:
    index = index or catalogue_index()
    query = parse(text, index)
    prune = min_coverage >= MIN_COVERAGE
    ranked = rank(query, index, allowed=allowed, prune=prune) if query.has_terms else []
    hits = [h for h in ranked if h.coverage >= min_coverage - 1e-9]
    close, fields = [], []
    if not hits:
        if prune and query.has_terms:
            ranked = rank(query, index, allowed=allowed, prune=False)
        close = _diverse(ranked, 5)
        seen: dict[str, str] = {}
        for hit in close:
            seen.setdefault(hit.row.field_code, hit.row.field_name)
        if not seen:  # nothing near: the largest fields
            counts: dict[tuple[str, str], int] = defaultdict(int)
            for row in index.rows:
                counts[(row.field_code, row.field_name)] += 1
            seen = dict(sorted(counts, key=lambda k: -counts[k])[:5])
        fields = list(seen.items())
    return SearchResult(query=query, hits=hits, close=close, fields=fields)
