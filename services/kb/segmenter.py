"""Chinese (and English) text to words, with jieba.

jieba's dictionary takes about a second to load, so it is loaded once, on first use (or by
`warm_up()` in a background thread at start), never per message. The words are lower-cased
word characters only, so they can be put into an FTS5 or tsquery expression unquoted.
"""

from __future__ import annotations

import math
import re
import threading
import warnings
from types import ModuleType

WORD = re.compile(r"\w+", re.UNICODE)
# Words that carry no meaning of their own in a question; matching on them alone is noise.
# Weights of words jieba's dictionary does not know (its known words weigh about 5 to 17).
UNKNOWN_LATIN_LONG = 12.0
UNKNOWN_LATIN_SHORT = 9.0
UNKNOWN_CHINESE = 14.0
UNKNOWN_CHINESE_CHARACTER = 9.0
_STOPWORD_TEXT = """
的 了 吗 呢 吧 啊 是 在 和 与 及 或 有 我 我们 你 你们 他 她
它 这 那 这个 那个 哪些 什么 怎么 如何 怎样 请问 请 问 想 要 需要
可以 能 能否 是否 应该 一个 一下 哪里 为什么 多少 时候 现在 问题
一些 还是 就 都 也 被 把 对 向 从 给 到 会 该 么 个 之 其 但
而 所以 因为 如果 吗 没有 不 还 又 很 上 下 中 里 a an the
of to in on for and or is are was be do
does did how what which who can i we you
my our it this that with by at as if not
may should would could please
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


class Segmenter:
    """Cuts text into words for the index and for queries; one per process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jieba: ModuleType | None = None
        self._extra_words: set[str] = set()

    def _load(self) -> ModuleType:
        with self._lock:
            if self._jieba is None:
                with warnings.catch_warnings():
                    # jieba 0.42 imports pkg_resources, which warns on import nowadays.
                    warnings.simplefilter("ignore")
                    import jieba

                    jieba.setLogLevel(60)
                    jieba.initialize()
                for word in self._extra_words:
                    jieba.add_word(word)
                self._jieba = jieba
            return self._jieba

    @property
    def ready(self) -> bool:
        return self._jieba is not None

    def warm_up(self) -> None:
        self._load()

    def add_words(self, words: set[str]) -> None:
        """Synonyms are whole words: 社会工作者 must not be cut into 社会 + 工作者 alone."""
        new = {w for w in words if w not in self._extra_words and WORD.fullmatch(w)}
        self._extra_words |= new
        if self._jieba is not None:
            for word in new:
                self._jieba.add_word(word)

    def index_words(self, text: str) -> list[str]:
        """Search mode: long words also yield their parts (社会工作者 → 社会, 工作者, ...)."""
        return self._clean(self._load().cut_for_search(text), keep_stopwords=True)

    def query_words(self, text: str) -> list[str]:
        """The meaningful words of a question, once each, in order."""
        seen: dict[str, None] = {}
        for word in self._clean(self._load().cut(text), keep_stopwords=False):
            seen.setdefault(word, None)
        return list(seen)

    def weight(self, word: str) -> float:
        """How telling a word is: -log of its frequency in jieba's own dictionary (counted
        on a large general corpus), so the weight does not depend on which entries happen to
        be in our base. Reading the dictionary already loaded costs no memory of its own."""
        dictionary = self._load().dt
        frequency = dictionary.FREQ.get(word, 0)
        if frequency > 0:
            return math.log(dictionary.total / frequency)
        if word.isascii():
            return UNKNOWN_LATIN_LONG if len(word) > 3 else UNKNOWN_LATIN_SHORT
        # Unknown Chinese words are rare, hence telling; single characters less so.
        return UNKNOWN_CHINESE if len(word) > 1 else UNKNOWN_CHINESE_CHARACTER

    def parts(self, word: str) -> list[str]:
        """Words that all occur wherever the phrase does, whether or not the dictionary knew
        the phrase when the entry was indexed (政府采购 → 政府, 采购)."""
        pieces = [p for p in self.index_words(word) if p != word]
        return pieces or self._clean([word], keep_stopwords=True)

    @staticmethod
    def _clean(words: object, *, keep_stopwords: bool) -> list[str]:
        result = []
        for raw in words:  # type: ignore[attr-defined]
            for word in WORD.findall(raw.lower()):
                if word.isdigit() and len(word) < 3:
                    continue
                if not keep_stopwords and word in STOPWORDS:
                    continue
                result.append(word)
        return result
