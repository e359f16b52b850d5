"""The tuned weights and thresholds of retrieval and answering, named in one place (lengths that describe text, such
as how long a bare label or an item is, stay beside the code that reads them).

Tuned on the development sets only (benchmarks/questions/gov-dev.jsonl, ../shared/bench/govqa, the demo set); the
frozen test part is run to report, never to tune (benchmarks/bench_answers.py).
"""

from __future__ import annotations

# ---- retrieval: fused score = lexical + CARD * card + dense_weight * dense (+ NAMED when a named document fits) ----
CARD = 0.6  # the document's card (title, subtitle, 文号, issuer, year, file name) against the question, max-normalised
HEADER = 1.0  # a question asking for a 文号 adds this times the card score to each document's first passage
OWN_TITLE = 0.3  # BM25 of a word inside the passages of a document whose own card holds it counts this much
STANDING_IN = 0.7  # BM25 of the forms of a question's word that no passage writes (医药费 → 医疗费用), which stand in for it
OTHER_FORMS = 0.3  # BM25 of the other forms of the question's terms (lexicon, 以下简称), against 1 for its own words
NAMED = 0.3  # a document the question names loosely (《…》, 十八大 without 报告, 8+ characters of its name) gains this
COVERAGE = 1.5  # the best RERANKED passages gain this times the weighted share of the question's terms they hold
RERANKED = 30
LIST_PASSAGE = 0.2  # ... and a list question's passage that leads into numbered items (以下条件：（一）…) this
UNIT_PASSAGE = 0.2  # ... and a figure question's passage that writes a figure in the unit asked (多少钱: …元) this

NAME_WORDS = 0.6  # share of the words between a year and a kind ("2013年政府工作报告") a document's card must hold
FEW_ROUTED = 2  # a question routed to at most this many documents ...
ROUTED_PASSAGES = 12  # ... is answered from this many of their passages (the sources shown stay the top ones)

# ---- answering ----------------------------------------------------------------------------------------------------
MIN_COVERAGE = 0.4  # share of the question's weighted key terms the best passage (with its headings and card) holds
OUTLINE_PENALTY = 0.85  # a 【提纲】 outline passage loses to the body that develops it
LIST_HEADING_MATCH = 0.5  # share of the question's weighted terms a list's heading must hold when it lacks the focus
LIST_PHRASE = 0.5  # a list whose lead-in holds the asked words as written (主要任务, not 重点任务) gains this
MAX_LIST_ITEMS = 12
LIST_INTRO = 800  # characters between a section's heading and its first item that frame its list (checked with it)
SECTION_PARAGRAPH = 300  # characters of a heading's paragraph quoted whole when a list is asked of it
WHOLE_SENTENCE = 120  # characters of a sentence quoted whole when the clause that answers ends in ； (…5年；…“暂行”的2年。)
LIST_ANNOUNCED = 0.2  # a list led by words that announce it (…包括：, 如下：) over a section's other lists
LIST_COUNT = 0.5  # a list of as many items as the question says (哪四个方面) gains this, and needs only some of its words
FIGURE_NEAR = 0.3  # a figure question's sentence whose figure follows an asked word within 20 characters
ASKED_HEAD = 0.2  # a sentence that holds the last word before the question word (初审 in 初审要多少个工作日)
CONTRASTED = 0.5  # a sentence that names another of a set of contrasting words (门诊 for 住院) and not the one asked
DEFINITION = 0.5  # a question that asks what a word means: the sentence that says what it means (…是指…)
TARGET = 0.3  # a target question's sentence that sets a target (左右, 预期目标, 力争, 今年 …)
THIS_YEAR = 0.3  # a question of the document's own year (2011年… in the 2011 report): a sentence that says 今年
SECOND_SENTENCE = 0.8  # a fact answer adds the next sentence of the same document scoring this share of the best
FIGURE_TRIES = 3  # sentences a question for a target figure tries, best first, until one sets a target
SECOND_FIGURE = 0.97  # ... a figure answer only when the next one is this close (two figures when it is a tie)
ENUMERATION = 0.3  # a list question's sentence answer prefers a sentence that enumerates (A、B、C)
LIST_OF = 0.3  # ... and a sentence that holds what the list is of (重要意义, 途径), not only the question's other words
ENUMERATION_CLOSER = 0.2  # ... and it answers before the list found when it holds this much more of the question
ASK_BACK_MARGIN = 0.9  # another document's best passage within this share of the best one's score makes it a candidate
ASK_BACK_COVERAGE = 0.9  # ... and only documents whose passage holds (nearly) every key term of the question
SLOT_SHARE = 0.34  # share of the asked slot's weighted words the quoted words and their headings must hold
SLOT_TERMS = 3  # how many of the rarest key terms make the asked slot of a question that is not a list
FEW_CARDS = 0.1  # a question word found in the cards of at most this share of documents names those documents
NAME_LIKE = 0.35  # ... and when at least this share of the passages using it belong to those documents
NAME_LIFT = 4.0  # ... this many times those documents' share of all passages (long documents use every word)
DOCUMENT_FACTS = 3  # a question about a document's roster (秘书长是谁) or when it is in force is answered from the first of
# the best passages' documents that writes one
