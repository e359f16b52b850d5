"""The composition root: builds the parts from Settings, and answers `ask(question, history) -> Answer`."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, replace
from pathlib import Path

from wenyuan import retrieve, weights
from wenyuan.answer import Answerer, ExtractiveAnswerer, StreamingAnswerer, assignments, refusal
from wenyuan.clean import chinese_number
from wenyuan.config import DEFAULT_EMBEDDER, Settings
from wenyuan.embed import Embedder
from wenyuan.index import MANIFEST, BuildReport, Index, IndexNotUsable, Progress, build_index
from wenyuan.query import Query, analyse
from wenyuan.tasks import TASK_WORDS, TaskQuestion, task_question
from wenyuan.types import Answer, AnswerItem, Document, Hit, Scope

log = logging.getLogger(__name__)

_ORDINAL = re.compile(r"第([一二三四五六七八九十\d]{1,3})(?:项|条|点|个|要|是|部分)")


@dataclass(frozen=True, slots=True)
class _Asked:
    """A question ready to answer: analysed, routed, and its passages found."""

    query: Query
    route: retrieve.Route
    hits: list[Hit]


def make_embedder(settings: Settings) -> Embedder:
    """The embedder the settings name: the bundled USE model, or a sentence-transformers model."""
    match settings.embedder:
        case "use-multilingual-v3" | "use":
            from wenyuan.embed import UseEmbedder

            return UseEmbedder()
        case name:
            from wenyuan.embed import SentenceTransformerEmbedder

            return SentenceTransformerEmbedder(name, settings.embedder_query_prefix)


def make_store(settings: Settings):
    """The store the settings name for searching passages: None for the embedded one (FAISS and term counts in the
    index folder), else a MilvusStore (Milvus Lite file or server; connects on first use)."""
    match settings.store:
        case "embedded":
            return None
        case "milvus":
            from wenyuan.store import MilvusStore

            uri = settings.milvus_uri or str(Path(settings.index_dir).resolve() / "milvus.db")
            return MilvusStore(uri, settings.milvus_collection, settings.milvus_token)


def make_answerer(settings: Settings, index: Index, breaker=None, embedder: Embedder | None = None) -> Answerer:
    """The answerer the settings name: extractive (no LLM), or an OpenAI-compatible LLM checked against sources
    (`breaker`, a `wenyuan.llm.CircuitBreaker`, remembers a failing endpoint across index snapshots)."""
    extractive = ExtractiveAnswerer(index, settings.min_coverage)
    match settings.answerer:
        case "extractive":
            return extractive
        case "llm":
            from wenyuan.llm import CircuitBreaker, LlmAnswerer

            return LlmAnswerer(
                index, extractive, base_url=settings.llm_base_url, model=settings.llm_model,
                api_key=settings.llm_api_key, timeout=settings.llm_timeout,
                connect_timeout=settings.llm_connect_timeout,
                breaker=breaker or CircuitBreaker(settings.llm_failures, settings.llm_cooldown),
                unverified=settings.llm_unverified, embedder=embedder,
            )


class QuestionRejected(ValueError):
    """A question no answer is worked out for; the message says why, for the person who asked."""


def checked_question(question: str, limit: int) -> str:
    """The question, stripped; refused when longer than `limit` characters or holding what is not text (a lone
    surrogate, a control character): such input is an attack or an accident, and costs memory and time to index."""
    question = (question or "").strip()
    if len(question) > limit:
        raise QuestionRejected(f"问题过长（{len(question)} 字，上限 {limit} 字），请精简后再问")
    if any("\ud800" <= ch <= "\udfff" or (ch < " " and ch not in "\t\n\r") for ch in question):
        raise QuestionRejected("问题中含有无法识别的字符")
    return question


class Assistant:
    """Searches the index and answers questions with citations; rebuilds swap the index in without a pause."""

    def __init__(self, settings: Settings | None = None, embedder: Embedder | None = None) -> None:
        self.settings = settings or Settings()
        self._embedder = embedder
        # what serves requests: the index and its answerer, swapped in together by one assignment
        self._serving: tuple[Index, Answerer] | None = None
        self._stamp: tuple[int, int] | None = None  # the manifest's (mtime, size) when the serving index was loaded
        self._breaker = None  # the LLM endpoint's circuit breaker, kept across index snapshots
        self._store = make_store(self.settings)  # where passages are searched (None: the index folder's own files)
        self._lock = threading.Lock()
        self._embedder_lock = threading.Lock()

    @property
    def embedder(self) -> Embedder:
        """The embedder, loaded on first use, once: the first questions after a start arrive together, and each
        loading its own copy of the model took seconds and gigabytes (20 at once: 2.5 GB, 13 s)."""
        if self._embedder is None:
            with self._embedder_lock:
                if self._embedder is None:
                    self._embedder = make_embedder(self.settings)
        return self._embedder

    @property
    def embedder_name(self) -> str:
        return self._embedder.name if self._embedder is not None else _canonical(self.settings.embedder)

    @property
    def index(self) -> Index:
        """The index in use, loaded from disk on first use."""
        return self._snapshot()[0]

    def _snapshot(self) -> tuple[Index, Answerer]:
        """The index and answerer in use, read once per request so that a rebuild never pairs one with the other.
        An index rebuilt by another process (`wenyuan index` in a shell) is noticed by its manifest and swapped in."""
        serving = self._serving
        stamp = _manifest_stamp(self.settings.index_dir)
        if serving is None or (stamp is not None and stamp != self._stamp):
            with self._lock:
                stamp = _manifest_stamp(self.settings.index_dir)
                if self._serving is None or (stamp is not None and stamp != self._stamp):
                    try:
                        in_use = self._serving[0] if self._serving is not None else None
                        self._use(Index.load(self.settings.index_dir, self.settings, self.embedder_name,
                                             store=self._store, previous=in_use), stamp)
                    except IndexNotUsable:
                        if self._serving is None:
                            raise
                        log.warning("the index on disk changed but cannot be loaded: still serving the one in use")
                        self._stamp = stamp
                    except OSError as error:  # a build switched again while this load read the files: next time
                        if self._serving is None:
                            raise
                        log.warning("the index changed while it was read (%s): still serving the one in use", error)
                serving = self._serving
        return serving

    def _use(self, index: Index, stamp: tuple[int, int] | None) -> None:
        if self._breaker is None and self.settings.answerer == "llm":
            from wenyuan.llm import CircuitBreaker

            self._breaker = CircuitBreaker(self.settings.llm_failures, self.settings.llm_cooldown)
        embedder = self.embedder if self.settings.answerer == "llm" else None  # the check's secondary signal
        self._serving = (index, make_answerer(self.settings, index, self._breaker, embedder))
        self._stamp = stamp

    def build(self, paths: Iterable[Path] | None = None, progress: Progress | None = None, *,
              prune: bool | None = None, wait: bool = True) -> BuildReport:
        """Index the documents (data/ by default), re-embedding only what changed, then switch to the new index.

        Documents indexed before stay when `paths` names other files or folders, unless `prune`; a build of the
        data folder itself prunes. With `wait=False` a build while another runs raises IndexBusy at once."""
        previous = self._serving[0] if self._serving is not None else None
        if previous is None:
            try:
                previous = Index.load(self.settings.index_dir, self.settings, self.embedder_name, for_rebuild=True,
                                      store=self._store)
            except Exception as error:  # no index yet, or one built with other settings: start afresh
                log.info("building a new index: %s", error)
        roots = list(paths) if paths else [self.settings.data_dir]
        if prune is None:
            prune = all(Path(root).resolve() == Path(self.settings.data_dir).resolve() for root in roots)
        index, report = build_index(roots, self.settings.index_dir, self.settings, self.embedder,
                                    previous=previous, progress=progress, wait=wait, prune=prune, store=self._store)
        with self._lock:
            self._use(index, _manifest_stamp(self.settings.index_dir))
        return report

    def search(self, query: str, top_k: int | None = None, documents: Collection[str] | None = None) -> list[Hit]:
        """The passages that best match a query, best first, from the documents it names (or `documents`)."""
        return self._prepare(query, top_k or self.settings.top_k, documents).hits

    def _prepare(self, question: str, top_k: int | None = None, documents: Collection[str] | None = None,
                 index: Index | None = None) -> _Asked:
        index = index or self.index
        query = analyse(question, index.definitions)
        route = retrieve.route(query, index, documents)
        if top_k is None:
            top_k = self.settings.top_k
            if route.documents is not None and len(route.documents) <= weights.FEW_ROUTED:
                top_k = max(top_k, weights.ROUTED_PASSAGES)  # one named document: answer from more of it
        hits = retrieve.search(
            query, index, self.embedder, top_k=top_k,
            dense_weight=self.settings.resolved_dense_weight(), candidates=self.settings.candidates, route_to=route,
        )
        return _Asked(query, route, hits)

    def ask(self, question: str, history: Sequence[Answer] = (), documents: Collection[str] | None = None,
            scope: Scope | None = None) -> Answer:
        """A short answer whose every sentence cites the passage it comes from, or a refusal that says so: the last
        thing `ask_stream` yields. `documents` (paths as in citations' doc) or a person's `scope` (files, type,
        year, issuing body) limit it to those files, and the answer then says within which."""
        answer = None
        for answer in self.ask_stream(question, history, documents, scope):
            pass
        return answer

    def _other_parts(self, parts: list[str], answer: Answer, answerer: Answerer, index: Index,
                     whole: Answer | None = None) -> Answer:
        """An answer to the first of several questions (…签几年？要续租得提前多久申请？) with the answers to the further
        `parts` added, each asked within the document the first answer cites; a part answered in part by what is
        quoted already adds nothing. A part the document does not answer alone, or answers only with what is quoted
        already, is answered by what the answer to the `whole` question quotes beyond the first answer (the sentence
        after it: 期间，…应当出具《户籍证明》), if anything."""
        if answer.refused or answer.mode not in ("fact", "number") or not answer.citations:
            return answer
        document = answer.citations[0].doc
        text, citations = answer.text, list(answer.citations)
        for part in parts:
            asked = self._prepare(part, documents=[document], index=index)
            extra = answerer.answer(asked.query, asked.hits)
            # a part answered by what is quoted already (等补发这段时间怎么办？ by the 补发 sentence) is not answered
            # alone either
            repeats = not extra.refused and bool(extra.citations) \
                and all(_inside(c, citations) for c in extra.citations)
            if extra.refused or extra.mode not in ("fact", "number") or repeats:
                quoted = whole.citations if whole is not None and whole.mode in ("fact", "number") else ()
                beyond = [c for c in quoted if c.doc == document and not _overlapping(c, citations)]
                for citation in beyond:
                    citations.append(replace(citation, n=len(citations) + 1))
                    text += f"\n{citation.quote.strip()}[{len(citations)}]"
                whole = None  # what it quotes beyond is added once
                continue
            if any(_inside(c, citations) for c in extra.citations):
                continue  # the first answer quotes part of it already
            numbers = {c.n: len(citations) + i + 1 for i, c in enumerate(extra.citations)}
            said = _MARKER.sub(lambda m: f"[{numbers.get(int(m.group(1)), m.group(1))}]", extra.text)
            text += "\n" + _ACCORDING.sub("", said, count=1)
            citations += [replace(c, n=numbers[c.n]) for c in extra.citations]
        return replace(answer, text=text, citations=tuple(citations))

    def catalogue(self) -> list[Document]:
        """The indexed documents, by title: what a person can choose to ask within."""
        return sorted(self.index.documents.values(), key=lambda document: (document.title, document.path))

    def ask_stream(self, question: str, history: Sequence[Answer] = (), documents: Collection[str] | None = None,
                   scope: Scope | None = None) -> Iterator[str | Answer]:
        """Like `ask`, for showing an answer as it is written: an LLM answerer yields its text so far (str) before
        the final Answer, which may differ (unbacked sentences dropped, markers renumbered); the extractive
        answerer, done in milliseconds, yields the Answer alone. Raises QuestionRejected for a question too long
        or not text (every route checks it here, whatever it checked before)."""
        question = checked_question(question, self.settings.max_question_chars)
        index, answerer = self._snapshot()  # one snapshot for the whole request
        label = ""
        if scope:
            label = scope.label({d.path: d.title for d in index.documents.values()})
            within = {d.path for d in index.documents.values() if scope.admits(d)}
            documents = within if documents is None else within & set(documents)
            if not documents:
                yield Answer(question, f"所选范围内没有文件（{label.removeprefix('范围：')}），请放宽或清除范围后再问。",
                             (), True, "refused", scope=label)
                return
        item = _follow_up_item(question, history)
        resolved = question
        if item is not None:  # "第二项具体怎么要求？": about that item, in its own document
            ordinal = _ORDINAL.search(question)
            rest = question[ordinal.end():]
            resolved = f"{item.text}{rest}" if rest.strip("？? ") else item.text
            documents = [item.doc]
        checklist = task_question(question) if item is None else None
        if checklist is not None:  # "财政部参与了哪几项？": the rows of the 任务分解 that fit, if any do
            listed = _from_checklist(question, checklist, index, documents)
            if listed is not None:
                yield replace(listed, scope=label)
                return
        if item is None and history and hasattr(answerer, "standalone") and _DEPENDS.search(question):
            resolved = answerer.standalone(question, history)  # LLM mode: "那第二年呢？" as a whole question
        asked = self._prepare(resolved, documents=documents, index=index)
        if asked.route.missing is not None:
            yield replace(refusal(question, [], asked.route.missing), scope=label,
                          searched=resolved if resolved != question else "")
            return
        if isinstance(answerer, StreamingAnswerer):
            items = answerer.stream(asked.query, asked.hits, history)
        else:
            answered = answerer.answer(asked.query, asked.hits, history)
            parts = further_questions(question) if item is None else []
            if parts and not answered.refused and answered.citations:
                # "合同一般签几年？要续租得提前多久申请？": the whole question finds the document; each question is
                # answered from it on its own
                first = self._prepare(_first_question(question), documents=[answered.citations[0].doc], index=index)
                alone = answerer.answer(first.query, first.hits, history)
                # the first question answered alone, with the whole question's answer to fall back on; else the
                # whole question's answer, nothing behind it
                opening, whole = (answered, None) if alone.refused else (alone, answered)
                answered = replace(self._other_parts(parts, opening, answerer, index, whole=whole), question=question)
            elif parts:
                # no one passage holds all the questions ask: the first, asked alone, finds the document
                first = self._prepare(_first_question(question), documents=documents, index=index)
                alone = answerer.answer(first.query, first.hits, history)
                if not alone.refused and alone.citations:
                    answered = replace(self._other_parts(parts, alone, answerer, index), question=question)
            items = (answer for answer in [answered])  # a generator: closable
        with closing(items):  # closed with this generator: an LLM request ends when nobody reads it any more
            for part in items:
                if isinstance(part, Answer) and resolved != question:
                    part = replace(part, question=question, searched=resolved)
                if isinstance(part, Answer) and part.refused and not _CHINESE.search(question):
                    part = replace(part, text=_NOT_CHINESE + ("以下段落可能相关，请自行核对。" if part.related else ""))
                if isinstance(part, Answer) and label:
                    text = part.text.replace("文档中没有找到", "所选范围的文件中没有找到", 1) if part.refused else part.text
                    part = replace(part, text=text, scope=label)
                yield part


_CHINESE = re.compile(r"[\u3400-\u9fff]")
# a question that leans on the conversation: it names something said before instead of saying it
_DEPENDS = re.compile(r"^.{0,8}[呢吗？?]*$|这|那|该|其|此|它|他们|上述|前面|刚才|以上|上面|还有|另外|具体|第[一二三四五六七八九十\d]+")
# the documents are Chinese: a question in another language finds its words nowhere
_NOT_CHINESE = "没有找到答案。文件都是中文的，请用中文提问，例如“城镇化率提升到了多少？”。"


def _from_checklist(question: str, asked: TaskQuestion, index: Index, documents: Collection[str] | None
                    ) -> Answer | None:
    """A question about who does what by when, answered from the checklists of the documents it names (all those
    in reach when it names none). Only the words before what is asked may name one: the unit asked about is no
    document's name (人力资源社会保障部 is an issuer too)."""
    naming = analyse(asked.naming, index.definitions)
    route = retrieve.route(naming, index, documents)
    if route.missing is not None:
        return None
    within = set(route.documents if route.documents is not None else (route.preferred or index.documents))
    words = [term for term in naming.terms if term not in TASK_WORDS]
    if words:  # "促进就业的意见中…": the documents whose card (title, 文号, issuer…) holds every such word
        within = {doc_id for doc_id in within
                  if all(any(form in index.folded_card(doc_id) for form in naming.forms(word)) for word in words)}
        if not within:
            return None
    return assignments.answer(question, asked, index, within)


# a further question after the first: it asks something (几, 多少, 哪天 …); "请逐条列出。" only says how to answer
_PART_END = re.compile(r"[？?]")
_ASKS = re.compile(r"几|多少|多久|多长|多大|何时|什么|哪|怎么|怎样|如何|为什么|谁|吗|能不能|是否|有没有")
_INSTRUCTION = re.compile(r"^(?:请|列出|逐条|分别列|只列)")
_MARKER = re.compile(r"\[(\d+)\]")
_ACCORDING = re.compile(r"^据《.*?》[：:]")  # a title may hold 《》 itself: …关于印发《…》的通知


def further_questions(question: str) -> list[str]:
    """The questions after the first in a question of several ("…签几年？要续租得提前多久申请？" → the second)."""
    pieces = [piece.strip() for piece in _PART_END.split(question)]
    return [piece + "？" for piece in pieces[1:]
            if len(piece) >= 4 and _ASKS.search(piece) and not _INSTRUCTION.match(piece)]


def _first_question(question: str) -> str:
    return _PART_END.split(question, 1)[0] + "？"


def _overlapping(citation, citations) -> bool:
    """Whether a quote shares words with one already quoted."""
    return any(c.doc == citation.doc and c.start < citation.end and citation.start < c.end for c in citations)


def _inside(citation, citations) -> bool:
    """Whether a quote is one already quoted or lies within one."""
    return any(c.doc == citation.doc and c.start <= citation.start and citation.end <= c.end for c in citations)


def _follow_up_item(question: str, history: Sequence[Answer]) -> AnswerItem | None:
    """The listed item a follow-up such as '第二项具体怎么要求？' points to, from the last answer's items (data, not
    its text)."""
    ordinal = _ORDINAL.search(question)
    if not ordinal or not history or not history[-1].items:
        return None
    position = chinese_number(ordinal.group(1)) or 0
    items = history[-1].items
    return items[position - 1] if 1 <= position <= len(items) else None


def _canonical(name: str) -> str:
    return DEFAULT_EMBEDDER if name in ("use", DEFAULT_EMBEDDER) else name


def _manifest_stamp(directory: Path) -> tuple[int, int] | None:
    """When and how big the index's manifest is: a stat, cheap enough for every request."""
    try:
        status = (Path(directory) / MANIFEST).stat()
    except OSError:
        return None
    return status.st_mtime_ns, status.st_size
