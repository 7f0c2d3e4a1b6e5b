// "Cite this statement": the reader's own date of access, and copy buttons.
// The page is complete without this script: the date then reads "[date]" for the reader to fill.
(function () {
  "use strict";
  var months = ["January", "February", "March", "April", "May", "June", "July",
                "August", "September", "October", "November", "December"];
  var now = new Date();
  var accessed = months[now.getMonth()] + " " + now.getDate() + ", " + now.getFullYear();
  document.querySelectorAll("[data-access-date]").forEach(function (el) {
    el.textContent = accessed;
  });
  if (!navigator.clipboard) {
    return;
  }
  var status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  var section = document.querySelector("section.cite");
  if (!section) {
    return;
  }
  section.appendChild(status);
  var targets = [["cite-chicago", "the Chicago reference"], ["cite-bibtex", "the BibTeX"], ["cite-csl", "the CSL-JSON"]];
  targets.forEach(function (target) {
    var el = document.getElementById(target[0]);
    if (!el) {
      return;
    }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy";
    button.textContent = "Copy " + target[1];
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(el.textContent.trim()).then(function () {
        status.textContent = "Copied " + target[1] + ".";
      }, function () {
        status.textContent = "Could not copy; select the text instead.";
      });
    });
    el.insertAdjacentElement("afterend", button);
  });
})();
