"""Roster sync: the LMS's learners are enrolled, the ones gone are marked dropped."""

from __future__ import annotations

from sqlalchemy import select

from studyapp.classes.models import Course, Enrollment, EnrollmentStatus
from studyapp.lti.models import PlatformUser
from tests import factories
from tests.lti.conftest import launch
from tests.lti.platform import INSTRUCTOR, LEARNER


def _member(sub: str, status: str = "Active", roles=(LEARNER,)) -> dict:
    return {
        "user_id": sub,
        "name": f"Student {sub}",
        "email": f"{sub}@school.test",
        "status": status,
        "roles": list(roles),
    }


def _enrolled(session, course) -> dict[str, EnrollmentStatus]:
    session.expire_all()
    rows = session.execute(
        select(PlatformUser.sub, Enrollment.status)
        .join(Enrollment, Enrollment.user_id == PlatformUser.user_id)
        .where(Enrollment.course_id == course.id)
    ).all()
    return dict(rows)


def test_roster_pull_enrols_and_drops_but_never_deletes(lti_app, lms, session):
    teacher = lti_app.test_client()
    launch(teacher, lms)
    course = session.scalar(select(Course))
    by_code = factories.make_user(session)
    factories.make_enrollment(session, course, by_code)
    session.commit()
    lms.members["course-1"] = [
        _member("lms-user-1", roles=(INSTRUCTOR,)),
        _member("a"),
        _member("b"),
        _member("c"),
        _member("gone", status="Inactive"),
    ]
    response = teacher.post(f"/teach/classes/{course.id}/lms/roster")
    assert response.status_code == 302
    assert "3 enrolled, 0 marked dropped" in teacher.get(response.headers["Location"]).get_data(
        as_text=True
    )
    assert _enrolled(session, course) == {s: EnrollmentStatus.ACTIVE for s in "abc"}
    # Paged by the LMS: every page was read.
    assert len(lms.requests_to("memberships")) == 3
    lms.members["course-1"] = [_member("a"), _member("c"), _member("d")]
    teacher.post(f"/teach/classes/{course.id}/lms/roster")
    assert _enrolled(session, course) == {
        "a": EnrollmentStatus.ACTIVE,
        "b": EnrollmentStatus.DROPPED,
        "c": EnrollmentStatus.ACTIVE,
        "d": EnrollmentStatus.ACTIVE,
    }
    # The student who joined with a code is left alone.
    code = session.scalar(select(Enrollment).where(Enrollment.user_id == by_code.id))
    assert code.status == EnrollmentStatus.ACTIVE
    # A dropped student's own launch does not re-add them; the instructor's next pull does.
    refused = launch(lti_app.test_client(), lms, sub="b", roles=(LEARNER,))
    assert refused.status_code == 400 and "You were removed" in refused.get_data(as_text=True)
    # Back in the LMS, back in the class.
    lms.members["course-1"].append(_member("b"))
    teacher.post(f"/teach/classes/{course.id}/lms/roster")
    assert _enrolled(session, course)["b"] == EnrollmentStatus.ACTIVE


def test_a_dropped_students_open_attempt_is_graded(lti_app, lms, session):
    from studyapp.attempts.models import Attempt, AttemptStatus

    teacher = lti_app.test_client()
    launch(teacher, lms)
    course = session.scalar(select(Course))
    quiz = factories.make_quiz(session, course, keys=("capital",))
    session.commit()
    student = lti_app.test_client()
    launch(student, lms, sub="a", roles=(LEARNER,))
    student.post(f"/quizzes/{quiz.id}/start")
    lms.members["course-1"] = []
    teacher.post(f"/teach/classes/{course.id}/lms/roster")
    session.expire_all()
    assert session.scalar(select(Attempt)).status != AttemptStatus.IN_PROGRESS


def test_a_student_listed_by_either_linked_course_stays(lti_app, lms, session):
    teacher = lti_app.test_client()
    launch(teacher, lms)
    course = session.scalar(select(Course))
    launch(teacher, lms, context="course-2")
    teacher.post("/lti/link", data={"course": str(course.id)})
    lms.members["course-1"] = [_member("a")]
    lms.members["course-2"] = [_member("b")]
    teacher.post(f"/teach/classes/{course.id}/lms/roster")
    assert _enrolled(session, course) == {
        "a": EnrollmentStatus.ACTIVE,
        "b": EnrollmentStatus.ACTIVE,
    }


def test_roster_pull_reports_an_lms_that_refuses(lti_app, lms, session):
    teacher = lti_app.test_client()
    launch(teacher, lms)
    course = session.scalar(select(Course))
    lms.tool_jwks = lambda: {"keys": []}  # the LMS no longer trusts our key
    response = teacher.post(f"/teach/classes/{course.id}/lms/roster")
    page = teacher.get(response.headers["Location"]).get_data(as_text=True)
    assert "The LMS refused a service token: 401" in page


def test_roster_pages_are_for_the_class_instructors_only(lti_app, lms, session, instructor_client):
    launch(lti_app.test_client(), lms)
    course = session.scalar(select(Course))
    assert instructor_client.get(f"/teach/classes/{course.id}/lms").status_code == 404
    assert instructor_client.post(f"/teach/classes/{course.id}/lms/roster").status_code == 404
