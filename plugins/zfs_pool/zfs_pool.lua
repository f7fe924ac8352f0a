-- ZFS pool health. `zpool list -H -o name,health,cap` gives every pool's health and fill level
-- (tab-separated, cap "81%" or "-" for a pool that is not imported properly); `zpool status -x`
-- adds why a pool is unhealthy, resilver progress, and ONLINE pools whose devices had errors.
-- zpool can hang for good on a suspended pool, so each call has a timeout well below the
-- plugin's: the report then says so instead of the whole run timing out.
local zpool = prophasis.args.zpool
local COMMAND_TIMEOUT_MS = 12000
local MAX_OUTPUT = 256 * 1024

local function run(argv)
    local ok, r, err = pcall(prophasis.run, argv, { timeout_ms = COMMAND_TIMEOUT_MS, max_output = MAX_OUTPUT })
    if not ok or not r then
        return nil, "cannot run " .. zpool .. ": " .. tostring(ok and err or r)
    end
    if r.timed_out then
        return nil, table.concat(argv, " ", 1, 2) .. " did not answer within " .. COMMAND_TIMEOUT_MS // 1000
            .. " s: a pool may be hung (suspended I/O)"
    end
    if r.exit_code ~= 0 then
        local why = (r.stderr or ""):gsub("%s+$", "")
        if why == "" then
            why = (r.stdout or ""):gsub("%s+$", "")
        end
        if r.exit_code == 127 and why == "" then
            why = "not found (is ZFS installed?)"
        end
        if why == "" then
            why = r.exit_code and ("exit code " .. r.exit_code) or ("killed by signal " .. tostring(r.signal))
        end
        return nil, table.concat(argv, " ", 1, 2) .. " failed: " .. why
    end
    return r.stdout or ""
end

local listed, err = run({ zpool, "list", "-H", "-o", "name,health,cap" })
if not listed then
    return { value = nil, message = err }
end

local pools = {}
for line in listed:gmatch("[^\n]+") do
    local name, health, cap = line:match("^([^\t]+)\t([^\t]+)\t([^\t]*)$")
    if name then
        pools[#pools + 1] = { name = name, health = health, cap = tonumber(cap:match("^(%d+%.?%d*)")) }
    end
end
if #pools == 0 then
    return { value = 0, message = "no ZFS pools", metrics = { pools = 0, unhealthy = 0, degraded = 0, faulted = 0,
        with_errors = 0, resilvering = 0 } }
end

-- status -x: "  pool: NAME" starts a block; "status:" runs on over tab-indented lines.
local explained = {}
local statusText, statusErr = run({ zpool, "status", "-x" })
if statusText then
    local block, key
    for line in statusText:gmatch("[^\n]*") do
        local k, v = line:match("^%s*(%a+):%s*(.-)%s*$")
        if k == "pool" then
            block = { status = "" }
            explained[v] = block
            key = nil
        elseif block and k then
            key = k
            if k == "status" then
                block.status = v
            elseif k == "scan" and v:find("resilver in progress", 1, true) then
                block.resilvering = true
            elseif k == "errors" then
                block.errors = v
            end
        elseif block and key == "status" and line:match("^\t%S") then
            block.status = block.status .. " " .. line:match("^%s*(.-)%s*$")
        elseif block and key == "scan" and block.resilvering and not block.progress then
            block.progress = tonumber(line:match("(%d+%.?%d*)%% done"))
        elseif line == "" or line:match("^%S") then
            key = nil
        end
    end
end

local function firstSentence(s)
    local sentence = (s:match("^(.-)%.%s") or s:match("^(.-)%.?$")):gsub("%s+", " ")
    return sentence
end

local metrics = { pools = #pools }
local degraded, faulted, withErrors, resilvering, maxCap = 0, 0, 0, 0, 0
local bad, good = {}, {}
for _, p in ipairs(pools) do
    local info = explained[p.name]
    local code = 0
    if p.health == "DEGRADED" then
        degraded, code = degraded + 1, 1
    elseif p.health ~= "ONLINE" then -- FAULTED, UNAVAIL, OFFLINE, REMOVED, SUSPENDED
        faulted, code = faulted + 1, 2
    end
    metrics[p.name .. ".health"] = code
    if p.cap then
        metrics[p.name .. ".cap"] = { value = p.cap, unit = "%" }
        maxCap = math.max(maxCap, p.cap)
    end
    local desc = p.name .. " " .. p.health
    if p.cap then
        desc = desc .. string.format(" (%g %% full)", p.cap)
    end
    if info and info.resilvering then
        resilvering = resilvering + 1
        metrics[p.name .. ".resilver"] = { value = info.progress or 0, unit = "%" }
        desc = desc .. (info.progress and string.format(", resilvering %g %%", info.progress) or ", resilvering")
    end
    if code == 0 and info then
        withErrors = withErrors + 1
    end
    if info and info.status ~= "" then
        desc = desc .. ": " .. firstSentence(info.status)
    end
    if info and info.errors and info.errors ~= "No known data errors" then
        desc = desc .. ", errors: " .. info.errors
    end
    if code > 0 or info then
        bad[#bad + 1] = desc
    else
        good[#good + 1] = desc
    end
end

metrics.unhealthy = degraded + faulted
metrics.degraded = degraded
metrics.faulted = faulted
metrics.with_errors = withErrors
metrics.resilvering = resilvering
metrics.max_cap = { value = maxCap, unit = "%" }

local all = {}
table.move(bad, 1, #bad, 1, all)
table.move(good, 1, #good, #all + 1, all)
local head
if degraded + faulted > 0 then
    head = string.format("%d of %d pool%s unhealthy", degraded + faulted, #pools, #pools == 1 and "" or "s")
elseif withErrors > 0 then
    head = string.format("%d pool%s ONLINE, with device errors", #pools, #pools == 1 and "" or "s")
else
    head = string.format("%d pool%s ONLINE", #pools, #pools == 1 and "" or "s")
end
local message = head .. ": " .. table.concat(all, "; ")
if not statusText then
    message = message .. " (no details: " .. statusErr .. ")"
end
if #message > 4000 then
    message = message:sub(1, 3996) .. " ..."
end
return { value = degraded + faulted, message = message, metrics = metrics }
