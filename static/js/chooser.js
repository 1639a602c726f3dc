// Progressive enhancement for /chooser/: one question per step, the result from
// the REST API, and a shareable URL kept in the address bar. Without this file
// the form posts to the server, which renders the same result.

const root = document.querySelector("[data-chooser]");
if (root) {
  const form = root.querySelector("[data-chooser-form]");
  const steps = Array.from(form.querySelectorAll(".chooser-step"));
  const progress = form.querySelector("[data-chooser-progress]");
  const resultRegion = root.querySelector("[data-chooser-result]");
  const api = root.dataset.api;
  const base = root.dataset.base;
  let current = 0;

  const el = (tag, attrs = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (key === "text") node.textContent = value;
      else node.setAttribute(key, value);
    }
    for (const child of children) if (child) node.append(child);
    return node;
  };
  const svg = (tag, attrs) => {
    const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
    return node;
  };

  function showStep(index, focus = true) {
    current = Math.max(0, Math.min(index, steps.length - 1));
    steps.forEach((step, i) => { step.hidden = i !== current; });
    progress.hidden = false;
    progress.textContent = `Step ${current + 1} of ${steps.length}`;
    if (focus) steps[current].querySelector("legend").focus();
  }

  function queryFromForm() {
    const params = new URLSearchParams();
    for (const [name, value] of new FormData(form)) {
      if (name !== "csrfmiddlewaretoken") params.append(name, value);
    }
    return params;
  }

  function answersFromQuery(params) {
    const answers = {};
    for (const step of steps) {
      const name = step.id.replace(/^q-/, "");
      const values = params.getAll(name).filter(Boolean);
      if (!values.length) continue;
      const multiple = step.querySelector("input[type=checkbox]") !== null;
      answers[name] = multiple ? values : values[0];
    }
    return answers;
  }

  function syncForm(params) {
    for (const input of form.querySelectorAll("input[type=radio], input[type=checkbox]")) {
      input.checked = params.getAll(input.name).includes(input.value);
    }
  }

  function labelFor(question, option) {
    const input = form.querySelector(`input[name="${CSS.escape(question)}"][value="${CSS.escape(option)}"]`);
    return input ? input.closest("label").querySelector(".chooser-option__label").textContent : option;
  }

  function promptFor(question) {
    const legend = form.querySelector(`#q-${CSS.escape(question)} legend`);
    return legend ? legend.textContent.replace(/^\s*\d+\.\s*/, "").trim() : question;
  }

  function renderErrors(errors) {
    const list = el("ul");
    for (const problems of Object.values(errors)) {
      const messages = Array.isArray(problems) ? problems : Object.values(problems).flat();
      for (const message of messages) list.append(el("li", { text: String(message) }));
    }
    return el("div", { class: "notice notice--error", role: "alert" },
      el("h2", { class: "notice__title", text: "Some answers could not be used" }), list);
  }

  function renderResult(result, query) {
    const [winner, second] = result.ranking;
    const section = el("section", { class: "chooser-result", "aria-labelledby": "result-title" });
    const title = el("h2", { id: "result-title", class: "chooser-result__title", text: "We recommend " });
    title.append(el("span", { class: "fw-name", text: winner.name }));
    section.append(title);

    if (result.close_call && second) {
      const notice = el("div", { class: "notice notice--warning chooser-close-call", role: "note" });
      const first = el("p", { class: "notice__title" }, el("strong", { text: "A close call." }));
      first.append(` ${winner.name} leads ${second.name} by only ${winner.score.toFixed(1)} to ${second.score.toFixed(1)}.`);
      notice.append(first);
      if (result.flip) {
        notice.append(el("p", { text: `The smallest change that would flip it to ${result.flip.name}:` }));
        const changes = el("ul");
        for (const change of result.flip.changes) {
          const before = change.from.map((o) => labelFor(change.question, o)).join(", ") || "no answer";
          const after = change.to.map((o) => labelFor(change.question, o)).join(", ") || "no answer";
          changes.append(el("li", { text: `${promptFor(change.question)}: ${before} → ${after}` }));
        }
        notice.append(changes);
      }
      section.append(notice);
    }

    const ranking = el("ol", { class: "ranking" });
    result.ranking.forEach((ranked, position) => {
      const item = el("li", { class: `ranking__item fw-${ranked.framework}${position === 0 ? " ranking__item--winner" : ""}` });
      const name = el("h3", { class: "ranking__name" });
      name.append(ranked.guide_url ? el("a", { href: ranked.guide_url, text: ranked.name }) : ranked.name);
      const score = el("span", { class: "ranking__score", text: String(Math.round(ranked.score)) });
      score.append(el("span", { class: "visually-hidden", text: " out of 100" }));
      item.append(el("div", { class: "ranking__head" }, name, score));
      const meter = svg("svg", { class: "meter", viewBox: "0 0 100 6", preserveAspectRatio: "none", role: "img",
        "aria-label": `${ranked.name}: ${Math.round(ranked.score)} out of 100` });
      meter.append(svg("rect", { class: "meter__track", x: 0, y: 0, width: 100, height: 6, rx: 3 }));
      meter.append(svg("rect", { class: "meter__bar", x: 0, y: 0, width: Math.round(ranked.score), height: 6, rx: 3 }));
      item.append(meter);
      if (ranked.reasons.length) {
        item.append(el("p", { class: "ranking__why", text: position === 0 ? "Why it wins:" : "Why it ranks lower:" }));
        const reasons = el("ul", { class: "reasons" });
        for (const reason of ranked.reasons) {
          const li = el("li", { class: "reason", text: `${reason.text} ` });
          if (reason.aspect.startsWith("scenario:")) {
            li.append(el("a", { href: `/scenarios/#${reason.aspect.slice(9)}`, text: "See the cheat sheet" }));
          } else {
            li.append(el("a", { href: `/compare/#aspect-${reason.aspect}`, text: "Matrix row" }));
            if (reason.source_url) {
              li.append(" · ", el("a", { href: reason.source_url, text: "Guide section" }));
            }
          }
          reasons.append(li);
        }
        item.append(reasons);
      }
      ranking.append(item);
    });
    section.append(ranking);

    if (result.matched_scenarios.length) {
      const list = el("ul");
      for (const scenario of result.matched_scenarios) {
        const li = el("li");
        li.append(el("a", { href: `/scenarios/#${scenario.slug}`, text: scenario.situation }));
        li.append(` → ${scenario.framework_name}${scenario.companion ? ` ${scenario.companion}` : ""}`);
        list.append(li);
      }
      section.append(el("section", { class: "chooser-scenarios", "aria-labelledby": "matched-title" },
        el("h3", { id: "matched-title", text: "Situations from the cheat sheet that match your answers" }), list));
    }

    const share = el("a", { class: "button button--secondary", href: `${base}?${query}`, "data-share-link": "", text: "Link to this result" });
    const edit = el("a", { class: "button button--secondary", href: "#chooser-form", "data-edit": "", text: "Change answers" });
    const restart = el("a", { class: "button button--secondary", href: base, "data-restart": "", text: "Start again" });
    section.append(el("p", { class: "chooser-actions" }, share, " ", edit, " ", restart));
    return section;
  }

  async function fetchResult(params, push) {
    const csrf = form.querySelector("input[name=csrfmiddlewaretoken]");
    const submit = form.querySelector("[data-submit]");
    submit.disabled = true;
    resultRegion.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(api, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf ? csrf.value : "" },
        credentials: "same-origin",
        body: JSON.stringify({ answers: answersFromQuery(params) }),
      });
      const data = await response.json().catch(() => ({}));
      if (response.status === 429) {
        const wait = response.headers.get("Retry-After");
        resultRegion.replaceChildren(renderErrors({ detail: [`Too many requests: try again in ${wait || "a few"} seconds.`] }));
      } else if (!response.ok) {
        resultRegion.replaceChildren(renderErrors(data));
      } else {
        resultRegion.replaceChildren(renderResult(data, params.toString()));
        form.hidden = true;
        if (push) history.pushState({ query: params.toString() }, "", `${base}?${params}#result`);
      }
      resultRegion.focus();
    } catch {
      // The API is unreachable: fall back to the server-rendered result.
      form.submit();
    } finally {
      submit.disabled = false;
      resultRegion.removeAttribute("aria-busy");
    }
  }

  function restart(event) {
    event.preventDefault();
    form.reset();
    syncForm(new URLSearchParams());
    resultRegion.replaceChildren();
    form.hidden = false;
    history.pushState({ query: "" }, "", base);
    showStep(0);
  }

  for (const nav of form.querySelectorAll("[data-step-nav]")) nav.hidden = false;
  form.addEventListener("click", (event) => {
    if (event.target.closest("[data-next]")) showStep(current + 1);
    if (event.target.closest("[data-back]")) showStep(current - 1);
  });
  // Enter on an option moves on, as a wizard's Next would, until the last step.
  form.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.target.matches("input") && current < steps.length - 1) {
      event.preventDefault();
      showStep(current + 1);
    }
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    fetchResult(queryFromForm(), true);
  });
  resultRegion.addEventListener("click", (event) => {
    if (event.target.closest("[data-restart]")) restart(event);
    if (event.target.closest("[data-edit]")) {
      event.preventDefault();
      form.hidden = false;
      showStep(0);
    }
  });
  window.addEventListener("popstate", () => {
    const params = new URLSearchParams(location.search);
    syncForm(params);
    if ([...params.keys()].length) {
      fetchResult(params, false);
    } else {
      resultRegion.replaceChildren();
      form.hidden = false;
      showStep(0, false);
    }
  });

  // A shared result rendered by the server: show it, keep the form one click away.
  if (resultRegion.querySelector(".chooser-result")) form.hidden = true;
  showStep(0, false);
}
