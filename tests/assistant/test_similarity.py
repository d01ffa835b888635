"""Sentence-to-question closeness with the real embedding model (assistant/similarity.py)."""
from __future__ import annotations

from assistant.similarity import UnitSimilarity


class Counting:
    """The real embeddings, counting the passages it is asked to embed."""

    def __init__(self, inner):
        self.inner, self.embedded = inner, 0

    def embed_documents(self, texts):
        self.embedded += len(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text):
        return self.inner.embed_query(text)


def test_the_sentence_that_answers_is_closest_and_scores_are_scaled(embeddings):
    sentences = ["活动现场悬挂了宣传横幅，摆放了展板。", "联系人：张三，联系电话：0591-87580701。", "本次活动共有12个部门参加。"]
    scores = UnitSimilarity(embeddings).scores("联系电话是多少？", sentences)
    assert max(scores, key=scores.get) == sentences[1]
    assert max(scores.values()) == 1.0 and min(scores.values()) == 0.0


def test_passages_are_embedded_once(embeddings):
    counting = Counting(embeddings)
    similarity = UnitSimilarity(counting, cache_size=10)
    texts = ["第一句。", "第二句。"]
    similarity.scores("问题一？", texts)
    similarity.scores("问题二？", texts + ["第三句。"])
    assert counting.embedded == 3
