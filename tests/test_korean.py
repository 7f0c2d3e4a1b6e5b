"""Korean words in dictionary form (kiwipiepy), so particles and endings do not hide them from search."""

from __future__ import annotations

from builder import korean


def test_particles_and_endings_give_way_to_dictionary_forms():
    """서울은 gives 서울, 전했다 gives 전하다, 발표했다 gives 발표 and 발표하다."""
    forms = korean.base_forms("서울은 오늘 회담을 거부했다. 평양에서 발표했다. 통신은 담화를 전했다.")
    for expected in ("서울", "평양", "발표", "발표하다", "전하다", "담화", "회담"):
        assert expected in forms
    assert "은" not in forms  # particles are not words a reader searches for
    assert "서울은" not in forms


def test_forms_come_once_in_order_of_first_use():
    """Each form is listed once, in the order the text first uses it (deterministic output)."""
    forms = korean.base_forms("평양은 평양에서 서울은 서울에서 평양")
    assert forms == ("평양", "서울")


def test_text_without_hangul_never_loads_the_analyser(monkeypatch):
    """English-only archives never pay for loading the Korean model."""

    def refuse():
        raise AssertionError("the Korean analyser was loaded for text without Hangul")

    monkeypatch.setattr(korean, "_analyser", refuse)
    assert korean.base_forms("Railroad agreement signed") == ()
    assert list(korean.base_forms_many(["One", "Two 2019", ""])) == [(), (), ()]


def test_batches_give_the_same_forms_as_single_texts():
    """Analysing many texts at once gives each text exactly its own forms, in the input order."""
    texts = ["서울은 맑다", "English only", "평양에서 발표했다", ""]
    assert list(korean.base_forms_many(texts)) == [korean.base_forms(t) for t in texts]


def test_has_hangul_recognises_syllables_and_jamo():
    """Hangul syllables and compatibility jamo count as Korean; Latin and CJK ideographs do not."""
    assert korean.has_hangul("KCNA 통신")
    assert korean.has_hangul("ㄱ")
    assert not korean.has_hangul("朝鮮 Pyongyang")


def _analysed_in_a_child(text: str) -> tuple[str, ...]:
    return next(korean.base_forms_many([text]))


def test_a_forked_process_analyses_after_the_parent_did() -> None:
    """The search index is made in a forked process; an analyser the parent loaded before the
    fork (its worker threads left behind) must not make the child wait for ever."""
    from builder.workers import Background

    assert korean.base_forms("서울에서 전했다")  # the parent's analyser, with its threads
    child = Background(_analysed_in_a_child, "평양에서 발표했다")
    assert "평양" in child.result(timeout=120)
