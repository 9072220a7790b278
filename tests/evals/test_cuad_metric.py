"""The CUAD metric on small hand-computed cases, including the threshold sweep."""

import math

import pytest

from legal_orch.datasets.cuad_metric import (
    THRESHOLDS,
    Counts,
    Curve,
    Prediction,
    aupr,
    jaccard,
    kept,
    monotone,
    pr_curve,
    precision_at_recall,
    question_counts,
    summary,
    words,
)


def test_words_follow_the_publisher_normalisation():
    assert words("Governed by: New York/Delaware law.") == {
        "governed",
        "by",
        "new",
        "york",
        "delaware",
        "law",
    }


def test_jaccard_counts_word_sets():
    # {this, agreement, is, governed} vs {agreement, is, governed, by, law}: 3 / 6
    assert jaccard("This Agreement is governed", "agreement is governed by law") == pytest.approx(
        0.5
    )
    assert jaccard("a b c d", "a e") == pytest.approx(1 / 5)


def test_question_counts_match_one_gold_once_and_count_stray_predictions():
    golds = ["the term is one year", "either party may terminate"]
    preds = ["The term is one year.", "the term is one year,", "unrelated text here"]
    # both term predictions match gold 1 (one TP); gold 2 unmatched (FN); one stray FP
    assert question_counts(golds, preds, substring_ok=False) == Counts(tp=1, fp=1, fn=1)


def test_question_without_gold_counts_every_prediction_false():
    assert question_counts([], ["x y", "z"], substring_ok=False) == Counts(fp=2)


def test_parties_accept_a_gold_string_contained_in_the_prediction():
    pred = 'This Agreement is made between Acme Corp. ("Acme") and Beta LLC ("Distributor")'
    golds = ["Acme Corp.", "Distributor"]
    assert question_counts(golds, [pred], substring_ok=True) == Counts(tp=2)
    assert question_counts(golds, [pred], substring_ok=False) == Counts(fp=1, fn=2)


def test_kept_is_strictly_above_threshold_and_ignores_empty_text():
    preds = [Prediction("a", 0.5), Prediction("", 0.9), Prediction("b", 0.51)]
    assert kept(preds, 0.5) == ["b"]
    assert kept(preds, 0.0) == ["a", "b"]


def test_thresholds_are_the_publisher_sweep():
    assert THRESHOLDS[0] == 0.99 and THRESHOLDS[98] == 0.01
    assert THRESHOLDS[-2:] == (0.001, 0.0) and len(THRESHOLDS) == 101


def test_monotone_takes_the_best_precision_at_higher_recall():
    assert monotone([1.0, 0.5, 0.8, 0.6]) == [1.0, 0.8, 0.8, 0.6]


def test_sweep_on_two_questions_by_hand():
    gold = {"c__Governing Law": ["governed by the laws of new york"], "c__Parties": ["Acme"]}
    preds = {
        "c__Governing Law": [
            Prediction("governed by the laws of new york", 0.905),
            Prediction("noise words", 0.405),
        ],
        "c__Parties": [Prediction("Acme Inc and Beta", 0.605)],
    }
    curve = pr_curve(gold, preds, thresholds=(0.95, 0.9, 0.6, 0.4, 0.0))
    # 0.95: nothing kept (P undefined, R 0); 0.9: 1 TP of 2; 0.6: 2 TP; 0.4: 2 TP + 1 FP
    assert curve.recalls == [0.0, 0.0, 0.5, 1.0, 1.0, 1.0]
    assert math.isnan(curve.precisions[1])
    assert curve.precisions[2:] == [1.0, 1.0, 2 / 3, 2 / 3]
    assert aupr(curve) == pytest.approx(1.0)
    assert precision_at_recall(curve, 0.9) == pytest.approx(1.0)


def test_aupr_is_trapezoid_over_smoothed_precision():
    curve = Curve(precisions=[1.0, 0.5, 0.25], recalls=[0.0, 0.5, 1.0], thresholds=[0.5, 0.0])
    # smoothed stays [1, .5, .25]: (1 + .5)/2 * .5 + (.5 + .25)/2 * .5
    assert aupr(curve) == pytest.approx(0.5625)
    assert precision_at_recall(curve, 0.8) == pytest.approx(0.25)
    assert precision_at_recall(Curve([1.0, 1.0], [0.0, 0.5], [0.0]), 0.8) == 0.0


def test_summary_reports_percentages_and_a_missed_gold_costs_recall():
    gold = {"d__Insurance": ["maintain insurance"], "d__Audit Rights": ["audit the books"]}
    preds = {"d__Insurance": [Prediction("maintain insurance", 0.8)]}
    s = summary(gold, preds)
    # recall never passes 0.5: area is 0.5 * 1, no precision at 80% or 90% recall
    assert s == {
        "aupr": pytest.approx(50.0),
        "precision_at_80_recall": 0.0,
        "precision_at_90_recall": 0.0,
    }
