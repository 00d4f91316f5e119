// Pipeline settings: drag stages and lead statuses into a new order; the server answers with the card re-rendered.
(function () {
  "use strict";

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function save(card) {
    var ids = Array.prototype.map.call(card.querySelectorAll("[data-id]"), function (item) {
      return item.dataset.id;
    });
    var values = { action: card.dataset.reorderAction, order: ids.join(","), csrfmiddlewaretoken: csrfToken() };
    if (card.dataset.reorderCategory) values.category = card.dataset.reorderCategory;
    htmx.ajax("POST", card.dataset.reorderUrl, { source: card, target: card, swap: "outerHTML", values: values });
  }

  function init(root) {
    if (typeof Sortable === "undefined") return;
    root.querySelectorAll("[data-sortable]").forEach(function (list) {
      if (list.dataset.sortableReady) return;
      list.dataset.sortableReady = "1";
      Sortable.create(list, {
        handle: ".drag",
        draggable: "[data-id]",
        animation: 150,
        onEnd: function (event) {
          if (event.oldIndex !== event.newIndex) save(list.closest("[data-reorder-url]"));
        },
      });
    });
  }

  htmx.onLoad(init);
})();
