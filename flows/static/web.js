// noticeflow review pages: tie each field's row to its box on the scan. Without this script every page
// still works (boxes show, forms post); with it, focusing or pointing at a field highlights its box and
// brings it into view, and clicking a box moves the focus to that field's correction input.
"use strict";

function boxesOf(field) {
  return document.querySelectorAll('rect.box[data-field="' + CSS.escape(field) + '"]');
}

function highlight(field, on, scroll) {
  boxesOf(field).forEach(function (box, index) {
    box.classList.toggle("active", on);
    if (on && scroll && index === 0) {
      box.scrollIntoView({ block: "nearest", inline: "nearest" });
    }
  });
  var row = document.querySelector('tr[data-field="' + CSS.escape(field) + '"]');
  if (row) { row.classList.toggle("active", on); }
}

document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("tr[data-field]").forEach(function (row) {
    var field = row.getAttribute("data-field");
    row.addEventListener("mouseenter", function () { highlight(field, true, false); });
    row.addEventListener("mouseleave", function () { highlight(field, false, false); });
    row.addEventListener("focusin", function () { highlight(field, true, true); });
    row.addEventListener("focusout", function () { highlight(field, false, false); });
  });
  document.querySelectorAll("rect.box").forEach(function (box) {
    var field = box.getAttribute("data-field");
    box.addEventListener("click", function () {
      var input = document.getElementById("f-" + field);
      if (input) { input.focus(); input.select(); }
    });
    box.addEventListener("mouseenter", function () { highlight(field, true, false); });
    box.addEventListener("mouseleave", function () { highlight(field, false, false); });
  });
});
