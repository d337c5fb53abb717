"""What each figure of the quiz report means, in plain words for instructors; the page
shows these beside the figures."""

from __future__ import annotations

from studyapp.gradebook.stats import MIN_FLAG_N

DEFINITIONS: dict[str, str] = {
    "facility": (
        "Facility index: the share of the available marks that students earned on this "
        "question, from 0 (nobody earned anything) to 1 (everyone earned full marks). 0.8 "
        "means the class earned 80% of the marks. Higher means easier. Moodle uses the same "
        "definition and shows it as a percentage."
    ),
    "discrimination": (
        "Discrimination index: how well this question separates students who did well on "
        "the rest of the quiz from those who did not. It is the correlation between the "
        "score on this question and the score on all the other questions (Moodle shows it "
        "times 100). Near +1: strong students get it right and weaker students miss it. "
        "Near 0: it says little about overall performance. Negative: stronger students "
        "tended to get it wrong, which often means a wrong key or misleading wording. As a "
        "rough guide, 0.3 or more is good and below 0.2 deserves a look."
    ),
    "discriminative_efficiency": (
        "Discriminative efficiency: the discrimination index as a share of the most this "
        "question could reach given how easy or hard it is. A very easy or very hard "
        "question cannot separate students much; this figure allows for that."
    ),
    "reliability": (
        "Reliability (Cronbach's alpha, called KR-20 when every question is simply right or "
        "wrong; Moodle calls it the coefficient of internal consistency): how far the "
        "questions agree about who knows the material, usually between 0 and 1. High means "
        "a student's total would come out much the same on a similar set of questions. "
        "About 0.7 or more is usual for a class test. It needs many students and questions "
        "to be trusted, and counts only students who saw every question."
    ),
    "standard_deviation": (
        "Standard deviation: how spread out the scores are around the average, in the same "
        "units as the scores. In a typical class about two thirds of the students are "
        "within one standard deviation of the average. It uses the sample formula (divide "
        "by n - 1), as Moodle does."
    ),
    "item_sd": (
        "Question SD: how much students' scores on this question differ, as a share of its "
        "marks (0 when everyone scored the same; at most about 0.5 for right-or-wrong). "
        "Sample formula, as Moodle shows it."
    ),
    "error_ratio": (
        "Error ratio: the share of the spread in totals that is measurement noise rather "
        "than real differences between students, the square root of (1 - reliability). "
        "Moodle shows it as a percentage; below 0.5 is good for a class test."
    ),
    "standard_error": (
        "Standard error of the test: error ratio times the standard deviation of the "
        "totals, in points. A student's total could easily have been this much higher or "
        "lower on another day; differences smaller than this mean little."
    ),
    "flags": (
        f"Flags: warnings on questions that look broken or unusually easy or hard. They are "
        f"shown only for questions answered by at least {MIN_FLAG_N} students; with fewer, "
        "one student's choice would be enough to raise them."
    ),
    "confidence_interval": (
        "95% confidence interval: the range the figure would probably fall in if a similar "
        "class took the same quiz. With few students it is wide: a facility of 0.6 from 10 "
        "students could well be anything from 0.3 to 0.83. Right-or-wrong questions use the "
        "Wilson interval, partial credit a t interval, discrimination Fisher's z interval."
    ),
}
