// The automation screen: the side panel for robot and trigger forms, condition rows, robots sorted by dragging.
(function () {
  "use strict";

  function panel() { return document.getElementById("robot-panel"); }

  function closePanel() {
    var dialog = panel();
    if (dialog && dialog.open) dialog.close();
  }

  // A form loaded into the panel opens it once htmx has wired its controls (after settling, not on the swap: a
  // change made in between would be lost); a saved change (robotsChanged) closes it.
  document.body.addEventListener("htmx:afterSettle", function (event) {
    var dialog = panel();
    if (!dialog || event.detail.target.id !== "robot-panel-body") return;
    if (event.detail.target.children.length && !dialog.open) dialog.showModal();
  });
  document.body.addEventListener("robotsChanged", closePanel);

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target.closest("[data-close-panel]")) {
      closePanel();
      return;
    }
    var add = target.closest("[data-add-row]");
    if (add) {
      var rows = add.closest("[data-rows]");
      var row = rows.querySelector("template").content.firstElementChild.cloneNode(true);
      rows.querySelector(".rows-list").appendChild(row);
      var first = row.querySelector("select, input");
      if (first) first.focus();
      return;
    }
    var remove = target.closest("[data-remove-row]");
    if (remove) remove.closest(".row-line").remove();
  });

  function saveOrder(list) {
    var board = list.closest("[data-order-url]");
    var body = new URLSearchParams();
    list.querySelectorAll("[data-robot]").forEach(function (item) { body.append("robot", item.dataset.robot); });
    fetch(board.dataset.orderUrl, {
      method: "POST",
      headers: { "X-CSRFToken": window.Kontora.csrfToken(), "HX-Request": "true" },
      body: body,
    }).then(function (response) {
      if (!response.ok) throw new Error(response.status);
      document.body.dispatchEvent(new CustomEvent("robotsChanged"));
    }).catch(function () {
      window.Kontora.toast(board.dataset.error);
      document.body.dispatchEvent(new CustomEvent("robotsChanged"));
    });
  }

  function sortable(root) {
    if (!window.Sortable) return;
    root.querySelectorAll(".robots-list[data-sortable]").forEach(function (list) {
      if (list.dataset.ready) return;
      list.dataset.ready = "1";
      window.Sortable.create(list, {
        handle: ".robot-handle",
        animation: 150,
        onEnd: function (event) { if (event.oldIndex !== event.newIndex) saveOrder(list); },
      });
    });
  }

  window.htmx.onLoad(sortable);
  sortable(document);
})();
