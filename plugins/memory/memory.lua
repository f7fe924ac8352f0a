-- Memory usage from /proc/meminfo. "Used" is what new programs cannot get without swapping:
-- MemTotal - MemAvailable. Kernels before 3.14 have no MemAvailable; for them the estimate is
-- MemFree + Buffers + Cached + SReclaimable (what the kernel itself counted as reclaimable).
local path = prophasis.args.meminfo_path

local text, err = prophasis.read_file(path, 65536)
if not text then
    return { value = nil, message = "cannot read " .. path .. ": " .. tostring(err) }
end

-- "MemTotal:       16303460 kB" → kb.MemTotal = 16303460
local kb = {}
for key, number in text:gmatch("([%w_()]+):%s+(%d+)") do
    kb[key] = tonumber(number)
end

local total = kb.MemTotal
if not total or total <= 0 then
    return { value = nil, message = path .. " has no MemTotal" }
end
local available = kb.MemAvailable
local estimated = false
if not available then
    available = (kb.MemFree or 0) + (kb.Buffers or 0) + (kb.Cached or 0) + (kb.SReclaimable or 0)
    estimated = true
end
available = math.min(available, total)
local used = total - available
local percent = used / total * 100

local function bytes(k)
    return { value = k * 1024, unit = "B" }
end

local function human(k)
    local units = { "KiB", "MiB", "GiB", "TiB" }
    local v, i = k, 1
    while v >= 1024 and i < #units do
        v, i = v / 1024, i + 1
    end
    return string.format("%.1f %s", v, units[i])
end

local metrics = {
    total = bytes(total),
    available = bytes(available),
    used = bytes(used),
}
local message = string.format("%.1f %% used (%s of %s)%s", percent, human(used), human(total),
    estimated and ", estimated: this kernel has no MemAvailable" or "")

local swapTotal, swapFree = kb.SwapTotal, kb.SwapFree
if swapTotal and swapFree then
    local swapUsed = math.max(swapTotal - swapFree, 0)
    metrics.swap_total = bytes(swapTotal)
    metrics.swap_used = bytes(swapUsed)
    if swapTotal > 0 then
        local swapPercent = swapUsed / swapTotal * 100
        metrics.swap_used_percent = { value = swapPercent, unit = "%" }
        message = message .. string.format("; swap %.1f %% used (%s of %s)", swapPercent, human(swapUsed),
            human(swapTotal))
    else
        message = message .. "; no swap"
    end
end

return { value = percent, message = message, metrics = metrics }
