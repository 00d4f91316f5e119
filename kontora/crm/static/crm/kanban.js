// Kanban boards: cards are dragged between columns with SortableJS; the server moves the record and answers with
// the new column heads and the card, or with the reason it refused (then the card goes back where it was).
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

  // Swap in every element of the answer that has an id on the page: column heads and the moved card.
  function apply(html) {
    Array.prototype.slice.call(fragment(html).children).forEach(function (node) {
      var old = node.id ? document.getElementById(node.id) : null;
      if (!old) return;
      node.removeAttribute("hx-swap-oob");
      old.replaceWith(node);
      if (window.htmx) window.htmx.process(node);
    });
  }

  function setUp(board) {
    var dialog = document.getElementById("kanban-loss");
    var fallback = board.dataset.error;
    var pending = null;  // the drop waiting for a loss reason
    var origin = null;  // where the dragged card came from

    function putBack(move) {
      if (move.next && move.next.parentNode === move.from) move.from.insertBefore(move.card, move.next);
      else move.from.appendChild(move.card);
    }

    function send(move, extra) {
      var data = new FormData();
      data.append("stage", move.to.closest("[data-stage]").dataset.stage);
      Object.keys(extra || {}).forEach(function (name) { data.append(name, extra[name]); });
      move.card.classList.add("saving");
      fetch(move.card.dataset.moveUrl, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" },
      })
        .then(function (response) {
          return response.text().then(function (html) { return { ok: response.ok, html: html }; });
        })
        .then(function (answer) {
          if (answer.ok) {
            apply(answer.html);
          } else {
            var reason = fragment(answer.html).querySelector(".error");
            putBack(move);
            toast(reason ? reason.textContent.trim() : fallback);
          }
        })
        .catch(function () {
          putBack(move);
          toast(fallback);
        })
        .finally(function () { move.card.classList.remove("saving"); });
    }

    function dropped(event) {
      var move = { card: event.item, from: origin.from, next: origin.next, to: event.to };
      origin = null;
      if (move.to === move.from) {
        putBack(move);  // the order inside a column is the server's (newest first)
        return;
      }
      var column = move.to.closest("[data-stage]");
      if (board.dataset.kind === "deal" && column.dataset.semantics === "F" && dialog) {
        pending = move;
        dialog.querySelector("form").reset();
        dialog.returnValue = "";
        dialog.showModal();
        return;
      }
      send(move);
    }

    if (dialog) {
      dialog.addEventListener("close", function () {
        var move = pending;
        pending = null;
        if (!move) return;
        if (dialog.returnValue !== "ok") {
          putBack(move);
          return;
        }
        send(move, {
          loss_reason: dialog.querySelector("[name=loss_reason]").value,
          loss_comment: dialog.querySelector("[name=loss_comment]").value,
        });
      });
    }

    board.querySelectorAll(".kanban-cards").forEach(function (list) {
      window.Sortable.create(list, {
        group: "kanban-" + board.dataset.kind,
        draggable: ".kanban-card[data-movable]",
        animation: 150,
        delay: 200,
        delayOnTouchOnly: true,
        onStart: function (event) {
          origin = { from: event.from, next: event.item.nextElementSibling };
        },
        onEnd: dropped,
      });
    });
  }

  if (!window.Sortable) return;
  document.querySelectorAll(".kanban[data-movable]").forEach(setUp);
})();
