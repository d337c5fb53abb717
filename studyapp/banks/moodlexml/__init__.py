"""Moodle XML import and export of question banks (pure: no Flask, no database).

Moodle XML carries what GIFT loses: points (`defaultgrade`), tags, per-answer feedback,
partial credit, numeric tolerance and units, essay settings. Ordering questions become
Moodle's `ordering` type (core from Moodle 4.4), and fill-in-the-blanks questions
Moodle's embedded answers (`cloze`, core). What Moodle has no field for (source,
difficulty, choice keys, a short answer's pattern, a range's exact ends, a rubric) rides
in an XML comment in each question, which Moodle ignores and our importer reads back.
"""

from studyapp.banks.moodlexml.export import MoodleXmlExport, export_moodle_xml
from studyapp.banks.moodlexml.importer import MoodleXmlImport, import_moodle_xml

__all__ = ["MoodleXmlExport", "MoodleXmlImport", "export_moodle_xml", "import_moodle_xml"]
