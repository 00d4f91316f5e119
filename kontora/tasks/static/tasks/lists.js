// Task boards: the deadline kanban and "My plan" (cards dragged with SortableJS; the server answers JSON, or the
// reason it refused, and then the card goes back) and the calendar (FullCalendar; a refused drop is reverted).
(function () {
  "use strict";

  function csrfToken() {
    return window.Kontora.csrfToken();
  }

  function toast(message) {
    if (window.Kontora && window.Kontora.toast) window.Kontora.toast(message);
  }

  function post(url, fields) {
    var data = new FormData();
    Object.keys(fields).forEach(function (name) { data.append(name, fields[name]); });
    return fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" },
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (answer) {
        if (!response.ok || !answer.ok) throw new Error(answer.error || "");
        return answer;
      });
    });
  }

  function recount(board) {
    board.querySelectorAll("[data-column]").forEach(function (column) {
      var count = column.querySelector("[data-count]");
      if (count) count.textContent = column.querySelectorAll(".task-card").length;
    });
  }

  function setUpBoard(board) {
    var origin = null;
    var fallback = board.dataset.error;

    function putBack(move) {
      if (move.next && move.next.parentNode === move.from) move.from.insertBefore(move.card, move.next);
      else move.from.appendChild(move.card);
      recount(board);
    }

    function fields(move) {
      var column = move.to.closest("[data-column]").dataset.column;
      if (board.dataset.board === "plan") {
        var position = Array.prototype.indexOf.call(move.to.querySelectorAll(".task-card"), move.card);
        return { column: column, position: position };
      }
      return { column: column };
    }

    function dropped(event) {
      var move = { card: event.item, from: origin.from, next: origin.next, to: event.to };
      origin = null;
      if (move.to === move.from && board.dataset.board !== "plan") {
        putBack(move);  // inside a deadline column the order is the deadline's
        return;
      }
      recount(board);
      move.card.classList.add("saving");
      post(move.card.dataset.moveUrl, fields(move))
        .then(function (answer) {
          var label = move.card.querySelector("[data-deadline]");
          if (label && answer.deadline !== undefined) {
            label.textContent = answer.deadline_text || label.dataset.none || label.textContent;
            label.classList.remove("overdue");
          }
          var target = answer.column && board.querySelector('[data-column="' + answer.column + '"] .kanban-cards');
          if (board.dataset.board === "deadlines" && target && target !== move.to) {
            target.appendChild(move.card);
            recount(board);
          }
        })
        .catch(function (error) {
          putBack(move);
          toast(error.message || fallback);
        })
        .finally(function () { move.card.classList.remove("saving"); });
    }

    board.querySelectorAll(".kanban-cards").forEach(function (list) {
      window.Sortable.create(list, {
        group: "tasks-" + board.dataset.board,
        draggable: ".task-card[data-movable]",
        animation: 150,
        delay: 200,
        delayOnTouchOnly: true,
        onStart: function (event) { origin = { from: event.from, next: event.item.nextElementSibling }; },
        onEnd: dropped,
      });
    });
  }

  function setUpCalendar(element) {
    var calendar = new window.FullCalendar.Calendar(element, {
      initialView: window.innerWidth < 700 ? "listWeek" : "dayGridMonth",
      locale: element.dataset.locale || "en",
      firstDay: 1,
      height: "auto",
      headerToolbar: { left: "prev,next today", center: "title", right: "dayGridMonth,timeGridWeek,listWeek" },
      events: element.dataset.feed,
      eventDrop: function (info) {
        post(info.event.extendedProps.moveUrl, { deadline: info.event.start.toISOString() }).catch(function (error) {
          info.revert();
          toast(error.message || element.dataset.error);
        });
      },
    });
    calendar.render();
  }

  if (window.Sortable) document.querySelectorAll(".task-board[data-board]").forEach(setUpBoard);
  if (window.FullCalendar) document.querySelectorAll("#task-calendar").forEach(setUpCalendar);
})();
