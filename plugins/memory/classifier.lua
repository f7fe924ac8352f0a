-- Default classifier of org.prophasis.memory (contract: docs/PLUGIN_GUIDE.md).
local verdict = failureRule() -- failed runs and missing values first (docs/PLUGIN_GUIDE.md)
if verdict then
    return verdict
end
local n = #results
local last = results[n]

-- Memory fills and empties quickly: judge the lowest of the last two successful values, so an
-- alert means the memory stayed full.
local warn = tonumber(vars.memory_warn) or 90
local crit = tonumber(vars.memory_crit) or 95
local recent = {}
for i = n, 1, -1 do
    local r = results[i]
    if r.type == "success" and r.value ~= nil then
        recent[#recent + 1] = r.value
        if #recent == 2 then
            break
        end
    end
end
local used = arrayMin(recent)
if used >= crit then
    return "major"
elseif used >= warn then
    return "minor"
end
return "ok"
