"""Deep linking: pick or create a quiz in the LMS's dialog; the link takes students to it."""

from __future__ import annotations

import re

from sqlalchemy import select

from studyapp.classes.models import Course
from studyapp.lti.models import LineItem
from studyapp.quizzes.models import Quiz
from tests import factories
from tests.lti.conftest import launch
from tests.lti.platform import LEARNER, LTI

DL = "LtiDeepLinkingRequest"


def _return_form(response) -> tuple[str, str]:
    page = response.get_data(as_text=True)
    action = re.search(r'<form method="post" action="([^"]+)" id="lti-return"', page).group(1)
    token = re.search(r'name="JWT" value="([^"]+)"', page).group(1)
    return action, token


def test_instructor_picks_a_quiz_and_the_lms_gets_a_resource_link(lti_app, lms, session):
    client = lti_app.test_client()
    assert launch(client, lms).status_code == 302
    course = session.scalar(select(Course))
    quiz = factories.make_quiz(session, course, keys=("capital",), title="Salt towns")
    session.commit()
    response = launch(client, lms, message_type=DL)
    assert response.headers["Location"] == "/lti/deep-link"
    assert "Salt towns" in client.get("/lti/deep-link").get_data(as_text=True)
    done = client.post("/lti/deep-link", data={"quiz": str(quiz.id), "new_title": ""})
    assert f"form-action 'self' {lms.url}" in done.headers["Content-Security-Policy"]
    action, token = _return_form(done)
    assert action == f"{lms.url}/deep-link-return"
    link = lms.accept_deep_link(token)
    body = lms.deep_link_body
    assert body[LTI + "message_type"] == "LtiDeepLinkingResponse"
    assert body[LTI + "deployment_id"] == lms.deployment_id
    assert body["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "opaque-data"
    item = body["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"][0]
    assert item["type"] == "ltiResourceLink" and item["url"] == "http://localhost/lti/launch"
    assert item["lineItem"] == {
        "label": "Salt towns",
        "scoreMaximum": 1.0,
        "resourceId": f"studyapp-quiz-{quiz.id}",
        "tag": "studyapp",
    }
    # A student opening the new link lands on the quiz, and the column is remembered.
    student = lti_app.test_client()
    response = launch(student, lms, sub="s1", roles=(LEARNER,), **link)
    assert response.headers["Location"] == f"/quizzes/{quiz.id}"
    assert "Salt towns" in student.get(f"/quizzes/{quiz.id}").get_data(as_text=True)
    saved = session.scalar(select(LineItem))
    assert (
        saved.quiz_id == quiz.id
        and saved.url == link["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"]["lineitem"]
    )
    # The instructor opening it lands on the quiz's own page.
    assert launch(client, lms, **link).headers["Location"] == f"/teach/quizzes/{quiz.id}"


def test_instructor_creates_a_quiz_from_the_dialog(lti_app, lms, session):
    client = lti_app.test_client()
    launch(client, lms, message_type=DL)
    assert client.get("/lti/deep-link").status_code == 200
    done = client.post("/lti/deep-link", data={"quiz": "", "new_title": "Week 3 check"})
    _, token = _return_form(done)
    lms.accept_deep_link(token)
    quiz = session.scalar(select(Quiz))
    assert quiz.title == "Week 3 check"
    items = lms.deep_link_body["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    assert items[0]["custom"] == {"quiz_id": str(quiz.id)}


def test_students_cannot_deep_link_and_links_to_other_classes_fail(lti_app, lms, session):
    launch(lti_app.test_client(), lms)
    response = launch(lti_app.test_client(), lms, sub="s1", roles=(LEARNER,), message_type=DL)
    assert "Only instructors" in response.get_data(as_text=True)
    other = factories.make_quiz(session, factories.make_course(session), keys=("capital",))
    session.commit()
    response = launch(
        lti_app.test_client(),
        lms,
        sub="s1",
        roles=(LEARNER,),
        **{LTI + "custom": {"quiz_id": str(other.id)}},
    )
    assert response.status_code == 400
    assert "quiz of another class" in response.get_data(as_text=True)


def test_the_deep_link_page_needs_a_deep_link_launch(instructor_client):
    assert instructor_client.get("/lti/deep-link").status_code == 404
    assert instructor_client.get("/lti/link").status_code == 404


def test_the_dialog_finishes_in_a_new_window_when_the_iframe_drops_our_cookie(
    lti_app, lms, session
):
    """Platform storage vouches for the launch; the pending request rides the resume link."""
    from studyapp.lti.models import LaunchState

    launch(lti_app.test_client(), lms)  # the LMS course is linked to a class
    course = session.scalar(select(Course))
    quiz = factories.make_quiz(session, course, keys=("capital",), title="Salt towns")
    session.commit()
    frame = lti_app.test_client()
    params = {
        "iss": lms.issuer,
        "login_hint": "h",
        "target_link_uri": "http://localhost/lti/launch",
        "lti_storage_target": "post_message_forwarding",
    }
    page = frame.get("/lti/login", query_string=params).get_data(as_text=True)
    state = page.split('data-key="studyapp-state-')[1].split('"')[0]
    binding = page.split('data-value="')[1].split('"')[0]
    nonce = session.scalars(select(LaunchState.nonce).order_by(LaunchState.id.desc())).first()
    frame.delete_cookie(next(c.key for c in frame._cookies.values()))  # blocked
    token = lms.sign(lms.claims(nonce, message_type=DL))
    assert frame.post("/lti/launch", data={"id_token": token, "state": state}).status_code == 200
    done = frame.post("/lti/launch/confirm", data={"state": state, "binding": binding})
    assert done.status_code == 200
    resume = done.get_data(as_text=True).split('href="/lti/resume/')[1].split('"')[0]
    # A fresh browser window: no cookie from the iframe, yet the dialog can be finished.
    window = lti_app.test_client()
    opened = window.get(f"/lti/resume/{resume}")
    assert opened.headers["Location"] == "/lti/deep-link"
    assert "Salt towns" in window.get("/lti/deep-link").get_data(as_text=True)
    picked = window.post("/lti/deep-link", data={"quiz": str(quiz.id), "new_title": ""})
    action, token = _return_form(picked)
    assert action == f"{lms.url}/deep-link-return"
    lms.accept_deep_link(token)
    body = lms.deep_link_body
    assert body[LTI + "message_type"] == "LtiDeepLinkingResponse"
    assert body["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "opaque-data"
    item = body["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"][0]
    assert item["custom"] == {"quiz_id": str(quiz.id)}
    # The request was spent with the dialog, and the link does not open a second one.
    assert window.get("/lti/deep-link").status_code == 404
    again = lti_app.test_client().get(f"/lti/resume/{resume}")
    assert again.status_code == 403
