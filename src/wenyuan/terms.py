"""BM25 over stored term counts, so that passages can be dropped and added without counting the others again.

The counts (how often each token is in each passage, and each passage's length) are what is kept, on disk and in
memory; IDF and length normalisation are applied when a question is scored. So the collection statistics are always
those of the passages held now, and a changed document costs only its own tokens. Scores are Lucene's BM25 (as
Anserini and bm25s compute it): IDF ln(1 + (N - df + 0.5) / (df + 0.5)) times tf / (tf + k1 (1 - b + b len / avg len)).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import scipy.sparse

K1 = 1.5
B = 0.75
_EMPTY = ""  # the one token of a passage without any, so every passage has a length (as bm25s does)


class TermIndex:
    """Term counts of passages (rows) over a vocabulary (columns), searchable by BM25. Immutable: `gather` and
    `take` make new ones."""

    __slots__ = ("vocabulary", "columns", "matrix", "lengths", "idf", "_norm")

    def __init__(self, vocabulary: list[str], matrix: scipy.sparse.csc_matrix, lengths: np.ndarray) -> None:
        self.vocabulary = vocabulary
        self.columns = {token: column for column, token in enumerate(vocabulary)}
        self.matrix = matrix  # rows x columns, float32 counts; by column, for scoring
        self.lengths = np.asarray(lengths, dtype=np.float32)
        rows = max(len(self.lengths), 1)
        frequency = np.diff(matrix.indptr).astype(np.float64)
        self.idf = np.log(1.0 + (rows - frequency + 0.5) / (frequency + 0.5)).astype(np.float32)
        average = float(self.lengths.mean()) if len(self.lengths) else 1.0
        self._norm = (K1 * (1.0 - B + B * self.lengths / max(average, 1e-9))).astype(np.float32)

    @property
    def rows(self) -> int:
        return len(self.lengths)

    # ---- making --------------------------------------------------------------------------------------------
    @classmethod
    def of(cls, passages: Iterable[Sequence[str]]) -> TermIndex:
        """Counts the tokens of each passage."""
        vocabulary: list[str] = []
        columns: dict[str, int] = {}
        indptr, indices, counts, lengths = [0], [], [], []
        for tokens in passages:
            tokens = tokens or (_EMPTY,)
            for token, count in Counter(tokens).items():
                column = columns.get(token)
                if column is None:
                    column = columns[token] = len(vocabulary)
                    vocabulary.append(token)
                indices.append(column)
                counts.append(count)
            indptr.append(len(indices))
            lengths.append(len(tokens))
        by_row = scipy.sparse.csr_matrix(
            (np.asarray(counts, dtype=np.float32), np.asarray(indices, dtype=np.int32), np.asarray(indptr, dtype=np.int64)),
            shape=(len(lengths), len(vocabulary)),
        )
        return cls(vocabulary, by_row.tocsc(), np.asarray(lengths, dtype=np.float32))

    @classmethod
    def gather(cls, parts: Sequence[tuple[TermIndex, np.ndarray]]) -> TermIndex:
        """The rows `rows` of each source, in this order, as one index. The first source's vocabulary keeps its
        columns (the big one, when a few documents change), words only the others have are added after it."""
        sources: list[TermIndex] = []
        for source, _ in parts:
            if not any(source is seen for seen in sources):
                sources.append(source)
        if not sources:
            return cls.of([])
        sources.sort(key=lambda source: -source.rows)
        vocabulary = list(sources[0].vocabulary)
        columns = dict(sources[0].columns)
        blocks, offsets, offset = [], [], 0
        for source in sources:
            if source is sources[0]:
                mapping = np.arange(len(source.vocabulary), dtype=np.int32)
            else:
                mapping = np.empty(len(source.vocabulary), dtype=np.int32)
            for column, token in enumerate(source.vocabulary if source is not sources[0] else ()):
                found = columns.get(token)
                if found is None:
                    found = columns[token] = len(vocabulary)
                    vocabulary.append(token)
                mapping[column] = found
            by_row = source.matrix.tocsr()
            blocks.append((by_row.data, mapping[by_row.indices], by_row.indptr, source.rows))
            offsets.append(offset)
            offset += source.rows
        stacked = scipy.sparse.vstack(
            [scipy.sparse.csr_matrix((data, indices, indptr), shape=(rows, len(vocabulary)))
             for data, indices, indptr, rows in blocks], format="csr")
        lengths = np.concatenate([source.lengths for source in sources])
        order = np.concatenate([np.asarray(rows, dtype=np.int64) + offsets[_position(sources, source)]
                                for source, rows in parts]) if parts else np.zeros(0, dtype=np.int64)
        return cls(vocabulary, stacked[order].tocsc(), lengths[order])

    def take(self, rows: np.ndarray) -> TermIndex:
        """These rows only, in this order; words no row holds any more are dropped."""
        by_row = self.matrix.tocsr()[np.asarray(rows, dtype=np.int64)]
        used = np.unique(by_row.indices)
        remap = np.full(len(self.vocabulary), -1, dtype=np.int32)
        remap[used] = np.arange(len(used), dtype=np.int32)
        by_row = scipy.sparse.csr_matrix((by_row.data, remap[by_row.indices], by_row.indptr),
                                         shape=(by_row.shape[0], len(used)))
        return TermIndex([self.vocabulary[column] for column in used], by_row.tocsc(), self.lengths[rows])

    # ---- scoring -----------------------------------------------------------------------------------------------
    def ids(self, tokens: Iterable[str]) -> list[int]:
        """The columns of the tokens some passage holds, each once."""
        return list(dict.fromkeys(self.columns[t] for t in tokens if t in self.columns))

    def scores(self, columns: Sequence[int]) -> np.ndarray:
        """BM25 score of every passage for a query of these columns."""
        total = np.zeros(self.rows, dtype=np.float32)
        matrix = self.matrix
        for column in columns:
            start, end = matrix.indptr[column], matrix.indptr[column + 1]
            rows = matrix.indices[start:end]
            counts = matrix.data[start:end]
            total[rows] += self.idf[column] * counts / (counts + self._norm[rows])
        return total

    def frequency(self, column: int) -> int:
        """How many passages hold a column's token."""
        return int(self.matrix.indptr[column + 1] - self.matrix.indptr[column])

    def holders(self, column: int) -> np.ndarray:
        """The passages that hold a column's token."""
        return self.matrix.indices[self.matrix.indptr[column] : self.matrix.indptr[column + 1]]

    def weight(self, token: str) -> float:
        """A token's IDF; a token no passage holds weighs as the rarest."""
        column = self.columns.get(token)
        if column is None:
            return float(np.log(1.0 + (self.rows + 0.5) / 0.5))
        return float(self.idf[column])

    def row_components(self, rows: Sequence[int]) -> list[dict[str, float]]:
        """Each row's BM25 term-frequency components, {token: tf / (tf + norm)}: what a store that multiplies by the
        query's IDF needs."""
        by_row = self.matrix.tocsr()
        found = []
        for row in rows:
            start, end = by_row.indptr[row], by_row.indptr[row + 1]
            counts = by_row.data[start:end]
            values = counts / (counts + self._norm[row])
            found.append({self.vocabulary[column]: float(value)
                          for column, value in zip(by_row.indices[start:end], values)})
        return found

    # ---- files -------------------------------------------------------------------------------------------------
    def save(self, folder: Path, stem: str = "terms") -> None:
        """Two files, no pickle: `<stem>.npz` (the sparse counts and the lengths) and `<stem>.json` (the words)."""
        np.savez(folder / f"{stem}.npz", indptr=self.matrix.indptr, indices=self.matrix.indices,
                 data=self.matrix.data, lengths=self.lengths)
        (folder / f"{stem}.json").write_text(json.dumps(self.vocabulary, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path, stem: str = "terms") -> TermIndex:
        vocabulary = json.loads((folder / f"{stem}.json").read_text(encoding="utf-8"))
        with np.load(folder / f"{stem}.npz", allow_pickle=False) as arrays:
            lengths = arrays["lengths"]
            matrix = scipy.sparse.csc_matrix((arrays["data"], arrays["indices"], arrays["indptr"]),
                                             shape=(len(lengths), len(vocabulary)))
        return cls(vocabulary, matrix, lengths)


def _position(sources: list[TermIndex], source: TermIndex) -> int:
    return next(at for at, seen in enumerate(sources) if seen is source)
