// Searchable pickers for long lists (procedures, agencies, communes): a <select data-picker> gets a search box
// before it; typing, with or without diacritics ("hoang hoa" finds "Hoằng Hóa"), keeps only the matching options
// and selects the first of them. Without JavaScript the plain <select> still works. A static file: no inline
// script (Content-Security-Policy).
(function () {
  function fold(text) {
    return (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D")
      .toLowerCase().replace(/\s+/g, " ").trim();
  }

  function labelOf(select) {
    if (select.id) {
      var label = document.querySelector("label[for='" + select.id + "']");
      if (label) return label.textContent.replace("*", "").trim();
    }
    return select.getAttribute("aria-label") || "danh sách";
  }

  function enhance(select) {
    if (select.dataset.pickerReady) return;
    select.dataset.pickerReady = "1";
    var options = Array.prototype.slice.call(select.options);
    var keys = options.map(function (o) { return fold(o.textContent + " " + o.value); });
    var box = document.createElement("input");
    box.type = "search";
    box.className = "picker-search";
    box.autocomplete = "off";
    box.placeholder = "Gõ để tìm (có hoặc không dấu)";
    box.setAttribute("aria-label", "Tìm trong " + labelOf(select));
    if (select.id) {
      box.id = select.id + "_search";
      box.setAttribute("aria-controls", select.id);
    }
    var status = document.createElement("span");
    status.className = "picker-status muted";
    status.setAttribute("role", "status");
    select.parentNode.insertBefore(box, select);
    select.parentNode.insertBefore(status, select.nextSibling);

    box.addEventListener("input", function () {
      var words = fold(box.value).split(" ").filter(Boolean);
      var first = null, shown = 0;
      options.forEach(function (option, i) {
        var match = !option.value || words.every(function (w) { return keys[i].indexOf(w) !== -1; });
        if (!option.value && words.length) match = false;   // the "— Chọn … —" line hides while searching
        option.hidden = !match;
        if (match) {
          shown += 1;
          if (first === null && option.value) first = option;
        }
      });
      if (words.length && first && (select.selectedIndex < 0 || select.options[select.selectedIndex].hidden)) {
        select.value = first.value;   // no change event: a filter form waits for its button
      }
      status.textContent = words.length ? (shown ? shown + " kết quả" : "Không có kết quả") : "";
    });
    box.addEventListener("keydown", function (event) {  // Enter picks, it does not submit half a search
      if (event.key === "Enter") {
        event.preventDefault();
        select.focus();
      }
    });
  }

  function enhanceAll(root) {
    Array.prototype.forEach.call((root || document).querySelectorAll("select[data-picker]"), enhance);
  }

  document.addEventListener("DOMContentLoaded", function () { enhanceAll(document); });
  document.addEventListener("htmx:afterSwap", function (event) { enhanceAll(event.target); });
})();
