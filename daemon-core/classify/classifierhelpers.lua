-- The classifier helpers of docs/PLUGIN_GUIDE.md ("Classifier contract"): the one
-- implementation, embedded into prophasis-core-classifier at build time and loaded by
-- plugins/tests/harness.lua, so the plugin tests and the core run the same code.
--
-- The chunk returns a table of plain functions. trend and failureRule take their array
-- explicitly here; the worker and the harness give classifiers versions that default to the
-- job's `results`. Only base functions are used, captured once, so nothing a classifier does to
-- its globals changes them.
--
-- A selector says what to look at in each element: nil = the element itself, a string = that
-- field (results, "value"), a function = its return value (function(r) return r.metrics.used end).

local type, error = type, error

local function checkSelector(sel)
    local kind = type(sel)
    if sel ~= nil and kind ~= "string" and kind ~= "function" then
        error("selector must be nil, a field name or a function", 3)
    end
end

local function pick(e, sel)
    if sel == nil then
        return e
    elseif type(sel) == "string" then
        if type(e) == "table" then
            return e[sel]
        end
        return nil
    end
    return sel(e)
end

-- A number that is not NaN.
local function isNumber(v)
    return type(v) == "number" and v == v
end

local helpers = {}

function helpers.arrayMax(t, sel)
    checkSelector(sel)
    local best
    for i = 1, #t do
        local v = pick(t[i], sel)
        if isNumber(v) and (best == nil or v > best) then
            best = v
        end
    end
    return best
end

function helpers.arrayMin(t, sel)
    checkSelector(sel)
    local best
    for i = 1, #t do
        local v = pick(t[i], sel)
        if isNumber(v) and (best == nil or v < best) then
            best = v
        end
    end
    return best
end

function helpers.arraySum(t, sel)
    checkSelector(sel)
    local sum = 0
    for i = 1, #t do
        local v = pick(t[i], sel)
        if isNumber(v) then
            sum = sum + v
        end
    end
    return sum
end

function helpers.arrayAvg(t, sel)
    checkSelector(sel)
    local sum, n = 0, 0
    for i = 1, #t do
        local v = pick(t[i], sel)
        if isNumber(v) then
            sum, n = sum + v, n + 1
        end
    end
    if n == 0 then
        return nil
    end
    return sum / n
end

function helpers.arrayContains(t, x, sel)
    checkSelector(sel)
    for i = 1, #t do
        if pick(t[i], sel) == x then
            return true
        end
    end
    return false
end

-- How many selected values equal x; when x is a function, for how many it returns a true value.
function helpers.arrayCount(t, x, sel)
    checkSelector(sel)
    local n = 0
    local predicate = type(x) == "function"
    for i = 1, #t do
        local v = pick(t[i], sel)
        if (predicate and x(v)) or (not predicate and v == x) then
            n = n + 1
        end
    end
    return n
end

-- Least-squares slope per second of sel(r) (default: value) against r.time, over the successful
-- results with a number; nil with fewer than two such points or when they share one time.
function helpers.trend(t, sel)
    checkSelector(sel)
    if sel == nil then
        sel = "value"
    end
    local xs, ys, n = {}, {}, 0
    for i = 1, #t do
        local r = t[i]
        local v = pick(r, sel)
        if type(r) == "table" and r.type == "success" and type(r.time) == "number" and type(v) == "number" then
            n = n + 1
            xs[n], ys[n] = r.time, v
        end
    end
    if n < 2 then
        return nil
    end
    local mx, my = helpers.arrayAvg(xs), helpers.arrayAvg(ys)
    local sxx, sxy = 0, 0
    for i = 1, n do
        sxx = sxx + (xs[i] - mx) ^ 2
        sxy = sxy + (xs[i] - mx) * (ys[i] - my)
    end
    if sxx == 0 then
        return nil
    end
    return sxy / sxx
end

-- The rule every default classifier starts with: "critical" when the newest two runs (or more)
-- failed, "unknown" when only the newest failed, when there are no results, or when the newest
-- run succeeded without a value; nil otherwise, so the plugin's own rule decides.
function helpers.failureRule(t)
    local n = #t
    local last = t[n]
    if last == nil then
        return "unknown"
    end
    if last.type ~= "success" then
        if n >= 2 and t[n - 1].type ~= "success" then
            return "critical"
        end
        return "unknown"
    end
    if last.value == nil then
        return "unknown"
    end
    return nil
end

return helpers
