import Essentials

/// The page `review export` writes: one self-contained HTML file (inline style and script, no
/// network, works from `file://`) that shows each item's prompt and replies A and B, takes a
/// preference (A, B, tie, skip) and 1–5 rubric scores per reply, and saves the ratings as
/// `ratings-NAME.json` in `ReviewRatingFile`'s format through a browser download (the same text
/// also appears on the page to copy, for browsers that block downloads from files).
///
/// Elements a script can drive (the headless test does): `#rater` (the name), radio inputs
/// `pref-N` with values `a`, `b`, `tie`, `skip`, selects `score-N-a-K` / `score-N-b-K` (criterion K
/// from 0), the `#save` button, and `#saved-json`, which holds the saved JSON.
enum ReviewPage {
    static func html(review: OpenReview, items: [JSONValue]) -> String {
        let data = JSONValue.object([
            ("format", .string(ReviewRatingFile.format)), ("review", .string(review.id)),
            ("rubric", .array(review.rubric.criteria.map { .object([("name", .string($0.name)), ("question", .string($0.question)),
                                                                     ("min", .number(Double($0.scale.lowerBound))), ("max", .number(Double($0.scale.upperBound)))]) })),
            ("items", .array(items)),
        ]).text(.minimal)
        // Inside <script> only "</script" could end the block; JSON has "<" only in strings, where \u003c means the same.
        let embedded = data.replacingOccurrences(of: "<", with: "\\u003c")
        let title = "Blind review \(review.id) · \(review.items.count) items"
        return """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(MarkupEscaping.escape(title))</title>
        <style>
        body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 72rem; padding: 1rem; color: #222; }
        header { position: sticky; top: 0; background: #fff; border-bottom: 1px solid #ccc; padding: .5rem 0; z-index: 1; }
        .item { border: 1px solid #ccc; border-radius: 6px; margin: 1rem 0; padding: .75rem; }
        .item.done { border-color: #2a7; }
        .item.incomplete { border-color: #c33; }
        .prompt, .reply { white-space: pre-wrap; background: #f6f6f6; padding: .5rem; border-radius: 4px; }
        .pair { display: grid; grid-template-columns: 1fr 1fr; gap: .75rem; margin: .5rem 0; }
        .pair h3 { margin: .2rem 0; }
        .scores label { margin-right: .75rem; white-space: nowrap; }
        .choice label { margin-right: 1rem; }
        #saved-json { white-space: pre-wrap; font-size: 12px; }
        </style>
        </head>
        <body>
        <header>
        <h1>\(MarkupEscaping.escape(title))</h1>
        <p>Read each prompt and the two replies. Pick the better one (or tie, or skip), then score each reply 1–5 on every
        criterion. Which model wrote A or B is hidden and changes from item to item. When done, press Save and send the
        downloaded file back.</p>
        <label>Your name <input id="rater" autocomplete="name"></label>
        <button id="save" type="button">Save ratings</button>
        <span id="progress"></span>
        </header>
        <main id="items"></main>
        <section><h2>Saved ratings</h2><p id="save-note">Nothing saved yet.</p><pre id="saved-json"></pre></section>
        <script type="application/json" id="review-data">\(embedded)</script>
        <script>
        "use strict";
        const review = JSON.parse(document.getElementById("review-data").textContent);
        const storeKey = "attune-review-" + review.review;
        function element(tag, attributes, text) {
          const node = document.createElement(tag);
          for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, value);
          if (text !== undefined) node.textContent = text;
          return node;
        }
        function scoreSelect(item, side, index, criterion) {
          const select = element("select", { id: `score-${item}-${side}-${index}`, "data-item": item });
          select.appendChild(element("option", { value: "" }, "–"));
          for (let score = criterion.min; score <= criterion.max; score++) select.appendChild(element("option", { value: String(score) }, String(score)));
          return select;
        }
        const main = document.getElementById("items");
        for (const item of review.items) {
          const card = element("section", { class: "item", id: `item-${item.item}` });
          card.appendChild(element("h2", {}, `Item ${item.item} of ${review.items.length}` + (item.category ? ` · ${item.category}` : "")));
          card.appendChild(element("div", { class: "prompt" }, item.prompt));
          const pair = element("div", { class: "pair" });
          for (const side of ["a", "b"]) {
            const column = element("div");
            column.appendChild(element("h3", {}, "Reply " + side.toUpperCase()));
            column.appendChild(element("div", { class: "reply" }, item[side]));
            const scores = element("div", { class: "scores" });
            review.rubric.forEach((criterion, index) => {
              const label = element("label", { title: criterion.question }, criterion.name + " ");
              label.appendChild(scoreSelect(item.item, side, index, criterion));
              scores.appendChild(label);
            });
            column.appendChild(scores);
            pair.appendChild(column);
          }
          card.appendChild(pair);
          const choice = element("div", { class: "choice" });
          for (const [value, text] of [["a", "A is better"], ["b", "B is better"], ["tie", "Tie"], ["skip", "Skip"]]) {
            const label = element("label");
            label.appendChild(element("input", { type: "radio", name: `pref-${item.item}`, value: value, "data-item": item.item }));
            label.appendChild(document.createTextNode(" " + text));
            choice.appendChild(label);
          }
          card.appendChild(choice);
          main.appendChild(card);
        }
        function collect() {
          const ratings = [], problems = [];
          for (const item of review.items) {
            const picked = document.querySelector(`input[name="pref-${item.item}"]:checked`);
            const card = document.getElementById(`item-${item.item}`);
            card.classList.remove("done", "incomplete");
            if (!picked || picked.value === "skip") continue;
            const scores = {};
            let missing = 0, given = 0;
            for (const side of ["a", "b"]) {
              scores[side] = review.rubric.map((_, index) => {
                const value = document.getElementById(`score-${item.item}-${side}-${index}`).value;
                if (value === "") missing++; else given++;
                return Number(value);
              });
            }
            if (given > 0 && missing > 0) { problems.push(item.item); card.classList.add("incomplete"); continue; }
            const rating = { item: item.item, id: item.id, digest: item.digest, preference: picked.value };
            if (given > 0) { rating.scores_a = scores.a; rating.scores_b = scores.b; }
            ratings.push(rating);
            card.classList.add("done");
          }
          return { ratings, problems };
        }
        function remember() {
          const state = { rater: document.getElementById("rater").value, values: {} };
          for (const input of document.querySelectorAll("input[type=radio]:checked")) state.values[input.name] = input.value;
          for (const select of document.querySelectorAll("select")) if (select.value) state.values[select.id] = select.value;
          try { localStorage.setItem(storeKey, JSON.stringify(state)); } catch (error) { /* storage off: nothing kept */ }
        }
        function restore() {
          let state = null;
          try { state = JSON.parse(localStorage.getItem(storeKey) || "null"); } catch (error) { state = null; }
          if (!state) return;
          document.getElementById("rater").value = state.rater || "";
          for (const [name, value] of Object.entries(state.values || {})) {
            const radio = document.querySelector(`input[name="${name}"][value="${value}"]`);
            if (radio) radio.checked = true;
            const select = document.getElementById(name);
            if (select && select.tagName === "SELECT") select.value = value;
          }
        }
        function progress() {
          const { ratings } = collect();
          document.getElementById("progress").textContent = `${ratings.length} of ${review.items.length} rated`;
        }
        function save() {
          const rater = document.getElementById("rater").value.trim();
          const note = document.getElementById("save-note");
          if (!rater) { note.textContent = "Type your name first: the file is saved under it."; document.getElementById("rater").focus(); return; }
          const { ratings, problems } = collect();
          if (problems.length) { note.textContent = `Score every criterion of both replies, or none, on item ${problems.join(", ")}.`; return; }
          const text = JSON.stringify({ format: review.format, review: review.review, rater: rater,
                                        rubric: review.rubric.map(c => c.name), ratings: ratings }, null, 1);
          document.getElementById("saved-json").textContent = text;
          note.textContent = `Saved ${ratings.length} rating${ratings.length === 1 ? "" : "s"} as ratings-${rater.replace(/[^A-Za-z0-9_-]+/g, "_")}.json (if no download started, copy the text below into that file).`;
          const link = element("a", { download: `ratings-${rater.replace(/[^A-Za-z0-9_-]+/g, "_")}.json`,
                                      href: URL.createObjectURL(new Blob([text + "\\n"], { type: "application/json" })) });
          document.body.appendChild(link);
          link.click();
          link.remove();
        }
        document.addEventListener("change", () => { remember(); progress(); });
        document.getElementById("rater").addEventListener("input", remember);
        document.getElementById("save").addEventListener("click", save);
        restore();
        progress();
        </script>
        </body>
        </html>

        """
    }
}
