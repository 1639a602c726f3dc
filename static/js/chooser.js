// Progressive enhancement for /chooser/: one question per step, the result from
// the REST API, and a shareable URL kept in the address bar. Without this file
// the form posts to the server, which renders the same result.

const root = document.querySelector("[data-chooser]");
if (root) {
  const form = root.querySelector("[data-chooser-form]");
  const steps = Array.from(form.querySelectorAll(".chooser-step"));
  const progress = form.querySelector("[data-chooser-progress]");
  const progressBox = form.querySelector("[data-chooser-progress-box]");
  const markers = progressBox ? Array.from(progressBox.querySelectorAll("li")) : [];
  const resultRegion = root.querySelector("[data-chooser-result]");
  const { api, base } = root.dataset;
  const compareUrl = root.dataset.compare || "/compare/";
  const scenariosUrl = root.dataset.scenarios || "/scenarios/";
  const heading = root.querySelector("h1").textContent.trim();
  const titleSuffix = document.title.includes("·") ? document.title.slice(document.title.indexOf("·")) : "";
  let current = 0;
  // The query whose result (or empty form) is on screen, so that fragment-only
  // history entries such as the skip link's #main do not redo the work.
  let shown = location.search;

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
    markers.forEach((marker, i) => {
      marker.classList.toggle("is-done", i < current);
      marker.classList.toggle("is-current", i === current);
    });
    form.classList.toggle("is-last-step", current === steps.length - 1);
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
      el("p", { class: "notice__title", text: "Some answers could not be used" }), list);
  }

  function renderResult(result, query) {
    const [winner, second] = result.ranking;
    const section = el("section", { class: "chooser-result", "aria-labelledby": "result-title" });
    const title = el("h2", { id: "result-title", class: "chooser-result__title", text: "We recommend " });
    title.append(el("span", { class: `fw-name fw-${winner.framework}`, text: winner.name }));
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
          changes.append(el("li", {}, el("strong", { text: promptFor(change.question) }), ` ${before} → ${after}`));
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
      score.append(el("span", { class: "ranking__out-of", "aria-hidden": "true", text: "/100" }));
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
            li.append(el("a", { href: `${scenariosUrl}#${reason.aspect.slice(9)}`, text: "See the cheat sheet" }));
          } else {
            li.append(el("a", { href: `${compareUrl}#aspect-${reason.aspect}`, text: "Matrix row" }));
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
        li.append(el("a", { href: `${scenariosUrl}#${scenario.slug}`, text: scenario.situation }));
        li.append(` → ${scenario.framework_name}${scenario.companion ? ` ${scenario.companion}` : ""}`);
        // Results saved before scenarios had alternatives carry none.
        const alsoFit = scenario.alternative_names || [];
        if (alsoFit.length) li.append(`; also a fit: ${alsoFit.join(", ")}`);
        list.append(li);
      }
      section.append(el("section", { class: "chooser-scenarios", "aria-labelledby": "matched-title" },
        el("h3", { id: "matched-title", text: "Situations from the cheat sheet that match your answers" }), list));
    }

    const save = el("a", { class: "button button--primary", href: `${root.dataset.save}?${query}`, "data-save": "", text: "Save this decision" });
    const share = el("a", { class: "button button--secondary", href: `${base}?${query}`, "data-share-link": "", text: "Link to this result" });
    const edit = el("a", { class: "button button--secondary", href: "#chooser-form", "data-edit": "", text: "Change answers" });
    const restart = el("a", { class: "button button--secondary", href: base, "data-restart": "", text: "Start again" });
    section.append(el("p", { class: "chooser-actions" }, save, " ", share, " ", edit, " ", restart));
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
      // A server-rendered error from the page load no longer applies.
      root.querySelector("#chooser-errors")?.remove();
      if (response.status === 429) {
        const wait = response.headers.get("Retry-After");
        resultRegion.replaceChildren(renderErrors({ detail: [`Too many requests: try again in ${wait || "a few"} seconds.`] }));
      } else if (!response.ok) {
        resultRegion.replaceChildren(renderErrors(data));
        form.hidden = false;
      } else {
        resultRegion.replaceChildren(renderResult(data, params.toString()));
        form.hidden = true;
        document.title = `Your recommendation ${titleSuffix}`.trim();
        const url = `${base}?${params}#result`;
        if (push && `${location.pathname}${location.search}` === `${base}?${params}`) {
          history.replaceState({ query: params.toString() }, "", url);
        } else if (push) {
          history.pushState({ query: params.toString() }, "", url);
        }
        shown = `?${params}`;
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
    root.querySelector("#chooser-errors")?.remove();
    document.title = `${heading} ${titleSuffix}`.trim();
    history.pushState({ query: "", restart: true }, "", base);
    shown = "";
    showStep(0);
  }

  for (const nav of form.querySelectorAll("[data-step-nav]")) nav.hidden = false;
  if (progressBox) progressBox.hidden = false;
  form.classList.add("is-stepped");
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
  window.addEventListener("popstate", (event) => {
    if (location.search === shown) return;
    shown = location.search;
    const params = new URLSearchParams(location.search);
    if (Object.keys(answersFromQuery(params)).length) {
      syncForm(params);
      fetchResult(params, false);
      return;
    }
    // Back from a result to the empty chooser keeps the answers, as "Change
    // answers" does; only an entry made by "Start again" clears them.
    if (event.state && event.state.restart) {
      syncForm(params);
      current = 0;
    }
    resultRegion.replaceChildren();
    root.querySelector("#chooser-errors")?.remove();
    document.title = `${heading} ${titleSuffix}`.trim();
    form.hidden = false;
    showStep(current, false);
  });

  // A shared result rendered by the server: show it, keep the form one click away.
  if (resultRegion.querySelector(".chooser-result")) form.hidden = true;
  showStep(0, false);
}
