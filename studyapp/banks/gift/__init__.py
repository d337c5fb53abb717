"""Moodle GIFT import and export of question banks (pure: no Flask, no database).

GIFT is Moodle's plain-text question format. `export_gift` writes every question GIFT can
express and reports the rest. `import_gift` reads GIFT the way Moodle's own reader does
(the same escapes, type detection and missing-word rule), builds a bank in our format,
and checks it with the loader. Neither raises on bad content; each loss is reported.

Our metadata (source, tags, difficulty, points, numeric unit) rides in a `//` comment
before each question: Moodle ignores comments, and our importer reads it back, so a bank
survives a round trip through GIFT except where the export reports a loss.
"""

from studyapp.banks.gift.common import NO_EXPLANATION, NO_MODEL_ANSWER
from studyapp.banks.gift.export import GiftExport, export_gift, points_lost
from studyapp.banks.gift.importer import GiftImport, import_gift

__all__ = [
    "NO_EXPLANATION",
    "NO_MODEL_ANSWER",
    "GiftExport",
    "GiftImport",
    "export_gift",
    "import_gift",
    "points_lost",
]
