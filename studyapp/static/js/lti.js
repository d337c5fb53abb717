// LTI client-side platform storage (1EdTech lti-cs-oidc): when the browser blocks our
// cookie inside the LMS's iframe, the login's secret is kept by the LMS's own frame instead.
(function () {
  "use strict";
  var box = document.getElementById("lti-storage");
  var back = document.getElementById("lti-return");
  if (back && back.hasAttribute("data-autosubmit")) { back.submit(); }
  if (!box) { return; }
  var status = document.getElementById("lti-status");
  var target = box.dataset.target;
  var origin = box.dataset.origin;
  var frame = target === "_parent" ? window.parent : (window.parent.frames[target] || window.parent);
  var id = "studyapp-" + Math.random().toString(36).slice(2);
  var subject = box.dataset.mode === "put" ? "lti.put_data" : "lti.get_data";
  var done = false;

  function fail(text) {
    if (!done && status) { status.textContent = text; }
    done = true;
  }

  window.addEventListener("message", function (event) {
    var data = event.data || {};
    if (event.origin !== origin || data.message_id !== id || data.subject !== subject + ".response") {
      return;
    }
    if (data.error) { fail("Your LMS could not keep the sign-in: " + (data.error.message || data.error.code)); return; }
    done = true;
    if (subject === "lti.put_data") {
      window.location.assign(box.dataset.next);
    } else {
      var form = document.getElementById("lti-confirm");
      form.elements.binding.value = data.value || "";
      form.submit();
    }
  });
  var message = { subject: subject, message_id: id, key: box.dataset.key };
  if (subject === "lti.put_data") { message.value = box.dataset.value; }
  frame.postMessage(message, origin);
  window.setTimeout(function () { fail("Your LMS did not answer. Open studyapp in a new window."); }, 5000);
})();
