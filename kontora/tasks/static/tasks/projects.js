// The project kanban: cards are dragged between stages with SortableJS; the server moves the task and answers with
// the new column heads and the card, or with the reason it refused (then the card goes back where it was).
// Owners and moderators also drag whole columns by their heads to reorder the stages.
(function () {
  "use strict";

  function csrfToken() {
    return window.Kontora.csrfToken();
  }

  function fragment(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    return template.content;
  }

  function toast(message) {
    if (window.Kontora && window.Kontora.toast) window.Kontora.toast(message);
  }

  function post(url, data) {
    return fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" },
    }).then(function (response) {
      return response.text().then(function (html) { return { ok: response.ok, html: html }; });
    });
  }

  function reason(html, fallback) {
    var error = fragment(html).querySelector(".error");
    return error ? error.textContent.trim() : fallback;
  }

  // Swap in every element of the answer that has an id on the page: the column heads and the moved card.
  function apply(html) {
    Array.prototype.slice.call(fragment(html).children).forEach(function (node) {
      var old = node.id ? document.getElementById(node.id) : null;
      if (!old) return;
      node.removeAttribute("hx-swap-oob");
      old.replaceWith(node);
    });
  }

  function setUpCards(board) {
    var fallback = board.dataset.error;
    var origin = null;

    function putBack(move) {
      if (move.next && move.next.parentNode === move.from) move.from.insertBefore(move.card, move.next);
      else move.from.appendChild(move.card);
    }

    function dropped(event) {
      var move = { card: event.item, from: origin.from, next: origin.next, to: event.to };
      origin = null;
      if (move.to === move.from) {
        putBack(move);  // the order inside a column is the server's (newest first)
        return;
      }
      var data = new FormData();
      data.append("stage", move.to.closest("[data-stage]").dataset.stage);
      move.card.classList.add("saving");
      post(move.card.dataset.moveUrl, data)
        .then(function (answer) {
          if (answer.ok) {
            apply(answer.html);
          } else {
            putBack(move);
            toast(reason(answer.html, fallback));
          }
        })
        .catch(function () {
          putBack(move);
          toast(fallback);
        })
        .finally(function () { move.card.classList.remove("saving"); });
    }

    board.querySelectorAll(".board-cards").forEach(function (list) {
      window.Sortable.create(list, {
        group: "project-board",
        draggable: ".board-card[data-movable]",
        animation: 150,
        delay: 200,
        delayOnTouchOnly: true,
        onStart: function (event) { origin = { from: event.from, next: event.item.nextElementSibling }; },
        onEnd: dropped,
      });
    });
  }

  function setUpColumns(board) {
    var before = null;
    function order() {
      return Array.prototype.map.call(board.querySelectorAll(".board-column[data-stage]"), function (column) {
        return column.dataset.stage;
      });
    }
    window.Sortable.create(board, {
      draggable: ".board-column[data-stage]",
      handle: ".board-name",
      animation: 150,
      delay: 200,
      delayOnTouchOnly: true,
      onStart: function () { before = order(); },
      onEnd: function () {
        var now = order();
        if (now.join() === before.join()) return;
        var data = new FormData();
        now.forEach(function (pk) { data.append("stage", pk); });
        post(board.dataset.orderUrl, data)
          .then(function (answer) {
            if (!answer.ok) throw new Error(reason(answer.html, board.dataset.error));
          })
          .catch(function (error) {
            var columns = {};
            board.querySelectorAll(".board-column[data-stage]").forEach(function (column) {
              columns[column.dataset.stage] = column;
            });
            var anchor = board.querySelector(".board-new");
            before.forEach(function (pk) { board.insertBefore(columns[pk], anchor); });
            toast(error.message);
          });
      },
    });
  }

  if (!window.Sortable) return;
  document.querySelectorAll(".board").forEach(function (board) {
    setUpCards(board);
    if (board.hasAttribute("data-sortable-columns")) setUpColumns(board);
  });
})();
