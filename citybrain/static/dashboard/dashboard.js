/* citybrain dashboard: one GraphQL query, tables and SVG charts. No build step. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("citybrain-dashboard-config").textContent);
  var TOKEN_KEY = "citybrain-dashboard-token";
  var SVG = "http://www.w3.org/2000/svg";
  var DAY = 86400000;
  var HEALTH_DAYS = 92; // the health trend shows at most the last 92 days of the period
  var DEFAULT_DAYS = 30; // the default period: 30 days up to the latest report
  var CITY_OFFSET = 8 * 3600000; // stored times are Beijing time (UTC+8), without an offset

  // The newest event the caller may see (events are listed newest first): without a period
  // in the address, the page shows the 30 days up to that report's day, so that figures
  // show even when the data stops before today (the demo city's ends on 2026-10-31).
  var LATEST = [
    "query DashboardLatest($region: String) {",
    "  events(filter: { regionCode: $region }, first: 1) { edges { node { reportedAt } } }",
    "}"
  ].join("\n");

  var QUERY = [
    "query Dashboard($from: DateTime!, $before: DateTime!, $region: String,",
    "    $day0: Date!, $day1: Date!, $district: String) {",
    "  eventStatistics(from: $from, before: $before, regionCode: $region) {",
    "    regionCode asOf suppressionThreshold",
    "    total { code name reported closed closeRate averageHandlingHours overdue suppressed }",
    "    byRegion { code name reported closed closeRate averageHandlingHours overdue suppressed }",
    "  }",
    "  healthDailyReport(from: $day0, before: $day1, districtCode: $district) {",
    "    suppressionThreshold",
    "    city { days { day codesShown scans } }",
    "    districts {",
    "      districtCode districtName codesShown scans placeCodesIssued activePlaceCodes",
    "      suppressed days { day codesShown scans }",
    "    }",
    "  }",
    "}"
  ].join("\n");

  var status = document.getElementById("status");
  var figures = document.getElementById("figures");
  var signin = document.getElementById("signin");
  var periodForm = document.getElementById("period");

  function setStatus(state, text) {
    status.setAttribute("data-state", state);
    status.textContent = text;
  }

  function isoDay(date) {
    return date.toISOString().slice(0, 10);
  }

  function addDays(day, n) {
    return isoDay(new Date(Date.parse(day + "T00:00:00Z") + n * DAY));
  }

  function cityToday() {
    return isoDay(new Date(Date.now() + CITY_OFFSET));
  }

  // The period asked for in the address; what it leaves out ends the day after `latest`
  // (the latest report's day, null when unknown) or tomorrow, whichever is earlier.
  function period(latest) {
    var params = new URLSearchParams(window.location.search);
    var end = addDays(cityToday(), 1);
    if (latest && addDays(latest, 1) < end) {
      end = addDays(latest, 1);
    }
    var before = params.get("before") || end;
    var from = params.get("from") || addDays(before, -DEFAULT_DAYS);
    return { from: from, before: before, region: params.get("region") || null };
  }

  function needsLatest() {
    return !new URLSearchParams(window.location.search).get("before");
  }

  function ask(bearer, query, variables, operationName) {
    return fetch(config.endpoint, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/graphql-response+json, application/json",
        "Authorization": "Bearer " + bearer
      },
      body: JSON.stringify({ query: query, variables: variables, operationName: operationName })
    }).then(function (response) {
      if (response.status === 401) {
        window.sessionStorage.removeItem(TOKEN_KEY);
        config.token = null;
        throw { signin: true };
      }
      return response.json();
    });
  }

  // The day of the newest report the caller may see, or null (no events, or not allowed).
  function latestDay(bearer) {
    if (!needsLatest()) {
      return Promise.resolve(null);
    }
    var region = new URLSearchParams(window.location.search).get("region") || null;
    return ask(bearer, LATEST, { region: region }, "DashboardLatest").then(function (body) {
      var edges = body.data && body.data.events ? body.data.events.edges : [];
      return edges.length && edges[0].node.reportedAt ? edges[0].node.reportedAt.slice(0, 10) : null;
    });
  }

  function showPeriod(asked) {
    periodForm.elements.from.value = asked.from;
    periodForm.elements.before.value = asked.before;
    periodForm.elements.region.value = asked.region || "";
  }

  function token() {
    return config.token || window.sessionStorage.getItem(TOKEN_KEY);
  }

  function askForToken(message) {
    figures.hidden = true;
    signin.hidden = false;
    setStatus("signin", message);
  }

  function number(value, digits) {
    if (value === null || value === undefined) {
      return "<" + String(threshold);
    }
    return value.toLocaleString("en-US", {
      minimumFractionDigits: digits || 0,
      maximumFractionDigits: digits || 0
    });
  }

  var threshold = 5;

  function cell(row, code, field, value, digits) {
    var td = document.createElement("td");
    td.setAttribute("data-code", code === null ? "" : code);
    td.setAttribute("data-field", field);
    td.setAttribute("data-value", value === null || value === undefined ? "" : String(value));
    td.textContent = number(value, digits);
    if (value === null || value === undefined) {
      td.className = "suppressed";
      td.title = "withheld: fewer than " + threshold + " (small-cell suppression)";
    }
    row.appendChild(td);
  }

  function textCell(row, text) {
    var td = document.createElement("td");
    td.textContent = text === null || text === undefined ? "" : text;
    row.appendChild(td);
  }

  function eventRow(body, figures, label) {
    var tr = document.createElement("tr");
    tr.setAttribute("data-code", figures.code === null ? "" : figures.code);
    textCell(tr, label || figures.code);
    textCell(tr, figures.name);
    cell(tr, figures.code, "reported", figures.reported);
    cell(tr, figures.code, "closed", figures.closed);
    var rate = figures.closeRate === null ? null : Math.round(figures.closeRate * 1000) / 10;
    cell(tr, figures.code, "closeRate", rate, 1);
    var hours = figures.averageHandlingHours;
    cell(tr, figures.code, "averageHandlingHours", hours === null ? null : Math.round(hours * 10) / 10, 1);
    cell(tr, figures.code, "overdue", figures.overdue);
    body.appendChild(tr);
  }

  function svgElement(name, attributes, text) {
    var element = document.createElementNS(SVG, name);
    Object.keys(attributes).forEach(function (key) {
      element.setAttribute(key, String(attributes[key]));
    });
    if (text !== undefined) {
      element.textContent = text;
    }
    return element;
  }

  function clear(element) {
    while (element.firstChild) {
      element.removeChild(element.firstChild);
    }
  }

  function barChart(svg, rows) {
    clear(svg);
    var width = 1000, height = 260, left = 50, bottom = 60, top = 20;
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    var max = 1;
    rows.forEach(function (r) {
      max = Math.max(max, r.reported || 0, r.closed || 0);
    });
    var slot = (width - left) / Math.max(rows.length, 1);
    var bar = Math.max(2, slot * 0.35);
    var scale = (height - bottom - top) / max;
    svg.appendChild(svgElement("line", { x1: left, y1: height - bottom, x2: width, y2: height - bottom, class: "axis" }));
    svg.appendChild(svgElement("text", { x: left - 6, y: top + 4, "text-anchor": "end" }, number(max)));
    rows.forEach(function (r, i) {
      var x = left + i * slot + slot * 0.1;
      [["reported", r.reported], ["closed", r.closed]].forEach(function (pair, k) {
        var value = pair[1] || 0;
        var h = value * scale;
        var rect = svgElement("rect", {
          x: x + k * bar, y: height - bottom - h, width: bar, height: h,
          class: pair[0], "data-code": r.code, "data-field": pair[0],
          "data-value": pair[1] === null ? "" : pair[1]
        });
        rect.appendChild(svgElement("title", {}, (r.name || r.code) + " " + pair[0] + ": " + number(pair[1])));
        svg.appendChild(rect);
      });
      var label = svgElement("text", {
        x: x + bar, y: height - bottom + 14,
        transform: "rotate(30 " + (x + bar) + " " + (height - bottom + 14) + ")"
      }, r.name || r.code);
      svg.appendChild(label);
    });
    svg.appendChild(svgElement("rect", { x: width - 180, y: 4, width: 10, height: 10, class: "reported" }));
    svg.appendChild(svgElement("text", { x: width - 165, y: 13 }, "reported 上报"));
    svg.appendChild(svgElement("rect", { x: width - 90, y: 4, width: 10, height: 10, class: "closed" }));
    svg.appendChild(svgElement("text", { x: width - 75, y: 13 }, "closed 结案"));
  }

  function lineChart(svg, days) {
    clear(svg);
    var width = 1000, height = 260, left = 60, bottom = 30, top = 20;
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    var max = 1;
    days.forEach(function (d) {
      max = Math.max(max, d.codesShown || 0, d.scans || 0);
    });
    var step = (width - left - 10) / Math.max(days.length - 1, 1);
    var scale = (height - bottom - top) / max;
    svg.appendChild(svgElement("line", { x1: left, y1: height - bottom, x2: width, y2: height - bottom, class: "axis" }));
    svg.appendChild(svgElement("text", { x: left - 6, y: top + 4, "text-anchor": "end" }, number(max)));
    [["codesShown", "shown"], ["scans", "scans"]].forEach(function (pair) {
      var points = days.map(function (d, i) {
        return (left + i * step).toFixed(1) + "," + (height - bottom - (d[pair[0]] || 0) * scale).toFixed(1);
      });
      svg.appendChild(svgElement("polyline", { points: points.join(" "), class: pair[1], "data-field": pair[0] }));
    });
    if (days.length) {
      svg.appendChild(svgElement("text", { x: left, y: height - 8 }, days[0].day));
      svg.appendChild(svgElement("text", { x: width - 10, y: height - 8, "text-anchor": "end" }, days[days.length - 1].day));
    }
    svg.appendChild(svgElement("rect", { x: width - 230, y: 4, width: 10, height: 10, class: "legend-shown" }));
    svg.appendChild(svgElement("text", { x: width - 215, y: 13 }, "codes shown 亮码"));
    svg.appendChild(svgElement("rect", { x: width - 110, y: 4, width: 10, height: 10, class: "legend-scans" }));
    svg.appendChild(svgElement("text", { x: width - 95, y: 13 }, "scans 扫码"));
  }

  function render(data, asked) {
    var events = data.eventStatistics;
    threshold = events.suppressionThreshold;
    document.getElementById("events-scope").textContent =
      (events.regionCode || "天津市") + " · " + asked.from + " – " + asked.before;
    document.getElementById("events-note").textContent =
      "Closed and overdue as of " + events.asOf.replace("T", " ") +
      "; counts below " + threshold + " are withheld (small-cell suppression).";
    var body = document.querySelector("#events-table tbody");
    var foot = document.querySelector("#events-table tfoot");
    clear(body);
    clear(foot);
    events.byRegion.forEach(function (r) {
      eventRow(body, r);
    });
    eventRow(foot, events.total, "Total");
    barChart(document.getElementById("events-chart"), events.byRegion);

    var health = data.healthDailyReport;
    var healthBody = document.querySelector("#health-table tbody");
    clear(healthBody);
    health.districts.forEach(function (d) {
      var tr = document.createElement("tr");
      tr.setAttribute("data-code", d.districtCode);
      textCell(tr, d.districtCode);
      textCell(tr, d.districtName);
      cell(tr, d.districtCode, "codesShown", d.codesShown);
      cell(tr, d.districtCode, "scans", d.scans);
      cell(tr, d.districtCode, "placeCodesIssued", d.placeCodesIssued);
      cell(tr, d.districtCode, "activePlaceCodes", d.activePlaceCodes);
      healthBody.appendChild(tr);
    });
    var trend = health.city ? health.city.days : (health.districts[0] ? health.districts[0].days : []);
    document.getElementById("health-scope").textContent =
      trend.length ? trend[0].day + " – " + trend[trend.length - 1].day : "";
    lineChart(document.getElementById("health-chart"), trend);
  }

  function variablesOf(asked) {
    var day0 = asked.from;
    var span = (Date.parse(asked.before) - Date.parse(asked.from)) / DAY;
    if (span > HEALTH_DAYS) {
      day0 = addDays(asked.before, -HEALTH_DAYS);
    }
    return {
      from: asked.from + "T00:00:00",
      before: asked.before + "T00:00:00",
      region: asked.region,
      day0: day0,
      day1: asked.before,
      district: asked.region ? asked.region.slice(0, 6) : null
    };
  }

  function load() {
    showPeriod(period(null));
    var bearer = token();
    if (!bearer) {
      askForToken("Sign in to see the figures.");
      return;
    }
    signin.hidden = true;
    setStatus("loading", "Loading…");
    var asked;
    latestDay(bearer)
      .then(function (latest) {
        asked = period(latest);
        showPeriod(asked);
        return ask(bearer, QUERY, variablesOf(asked), "Dashboard");
      })
      .then(function (body) {
        if (body.errors && body.errors.length) {
          throw new Error(body.errors.map(function (e) {
            return e.message + (e.extensions && e.extensions.code ? " (" + e.extensions.code + ")" : "");
          }).join("; "));
        }
        render(body.data, asked);
        figures.hidden = false;
        setStatus("ready", "Figures as counted by the departments' own systems.");
      })
      .catch(function (error) {
        if (error && error.signin) {
          askForToken("The token was refused; sign in again.");
          return;
        }
        figures.hidden = true;
        setStatus("error", "Could not load the figures: " + (error && error.message ? error.message : error));
      });
  }

  periodForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var params = new URLSearchParams();
    params.set("from", periodForm.elements.from.value);
    params.set("before", periodForm.elements.before.value);
    if (periodForm.elements.region.value) {
      params.set("region", periodForm.elements.region.value);
    }
    window.history.replaceState(null, "", "?" + params.toString());
    load();
  });

  document.getElementById("token-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var value = event.target.elements.token.value.trim().replace(/^Bearer\s+/i, "");
    if (value) {
      window.sessionStorage.setItem(TOKEN_KEY, value);
      load();
    }
  });

  load();
})();
