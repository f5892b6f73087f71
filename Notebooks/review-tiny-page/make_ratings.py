#!/usr/bin/env python3
"""Writes ratings-ann.json and ratings-bo.json for Notebooks/review-tiny.attune.md.

Two scripted raters stand in for people (the notebook says so). Each reads items.jsonl (the page's
items as `review export` wrote them: prompt, reply A, reply B, blinded) and the expected labels of
data/sentiment_heldout.jsonl, and rates every item the way its rubric note says:

  ann  prefers the reply whose first word is the right sentiment; both right or both wrong: tie.
       accuracy 5 right, 1 wrong; tone 5 for a bare label, 3 for a label with more, 1 for noise.
  bo   the same on right versus wrong, but when both are wrong prefers a reply that is at least a
       sentiment word (a valid label) over noise; accuracy 5 right, 2 a wrong label, 1 noise;
       tone 5 for a bare label, 4 for a label with more after it, 1 for noise.

usage: python3 make_ratings.py   (in Notebooks/review-tiny-page, after `review export "review-tiny-page"`)
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
LABELS = ("positive", "negative", "neutral", "mixed")


def expected_labels():
    path = os.path.join(HERE, "..", "data", "sentiment_heldout.jsonl")
    labels = {}
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            labels["sentiment_heldout.jsonl:%d" % number] = json.loads(line)["completion"].strip()
    return labels


def first_word(reply):
    words = reply.strip().split()
    return words[0].strip(".,!").lower() if words else ""


def tone(reply, longer):
    if first_word(reply) not in LABELS:
        return 1
    return 5 if len(reply.split()) == 1 else longer


def ann(reply, expected):
    right = first_word(reply) == expected
    return right, [5 if right else 1, tone(reply, 3)]


def bo(reply, expected):
    word = first_word(reply)
    right, label = word == expected, word in LABELS
    accuracy = 5 if right else 2 if label else 1
    return right, [accuracy, tone(reply, 4)], label


def main():
    labels = expected_labels()
    review = None
    items = []
    with open(os.path.join(HERE, "items.jsonl"), encoding="utf-8") as f:
        items = [json.loads(line) for line in f if line.strip()]
    with open(os.path.join(HERE, "review.html"), encoding="utf-8") as f:
        page = f.read()
    start = page.index('id="review-data">') + len('id="review-data">')
    review = json.loads(page[start:page.index("</script>", start)])["review"]
    for rater in ("ann", "bo"):
        ratings = []
        for item in items:
            expected = labels[item["id"]]
            if rater == "ann":
                (a_right, a_scores), (b_right, b_scores) = ann(item["a"], expected), ann(item["b"], expected)
                preference = "a" if a_right and not b_right else "b" if b_right and not a_right else "tie"
            else:
                a_right, a_scores, a_label = bo(item["a"], expected)
                b_right, b_scores, b_label = bo(item["b"], expected)
                if a_right != b_right:
                    preference = "a" if a_right else "b"
                elif not a_right and a_label != b_label:
                    preference = "a" if a_label else "b"
                else:
                    preference = "tie"
            ratings.append({"item": item["item"], "id": item["id"], "preference": preference,
                            "scores_a": a_scores, "scores_b": b_scores})
        document = {"format": "attune-review-ratings/1", "review": review, "rater": rater,
                    "rubric": ["accuracy", "tone"], "ratings": ratings}
        with open(os.path.join(HERE, "ratings-%s.json" % rater), "w", encoding="utf-8") as f:
            json.dump(document, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
