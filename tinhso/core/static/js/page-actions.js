// Small page behaviours declared in markup, so that no page needs an inline script (Content-Security-Policy):
// <button data-print> prints the page; <form data-reset-on-success> is cleared after a successful htmx request.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-print]");
  if (button) {
    event.preventDefault();
    window.print();
  }
});
document.addEventListener("htmx:afterRequest", function (event) {
  var form = event.target.closest ? event.target.closest("form[data-reset-on-success]") : null;
  if (form && event.detail && event.detail.successful) form.reset();
});
// <div data-focus-on-load> (the error summary after a failed submit, core/_error_summary.html) takes the focus, so
// keyboard and screen-reader users start from the list of what to fix.
document.addEventListener("DOMContentLoaded", function () {
  var target = document.querySelector("[data-focus-on-load]");
  if (target) target.focus();
});
