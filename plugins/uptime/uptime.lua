-- Uptime from /proc/uptime ("350735.47 1234388.90": seconds since boot, idle seconds summed
-- over all CPUs).
local path = prophasis.args.uptime_path

local text, err = prophasis.read_file(path, 4096)
if not text then
    return { value = nil, message = "cannot read " .. path .. ": " .. tostring(err) }
end
local seconds = tonumber(text:match("^%s*(%d+%.?%d*)"))
if not seconds then
    return { value = nil, message = path .. " does not start with a number of seconds" }
end

local function plural(n, word)
    return string.format("%d %s%s", n, word, n == 1 and "" or "s")
end

local whole = math.floor(seconds)
local days = whole // 86400
local hours = whole % 86400 // 3600
local minutes = whole % 3600 // 60
local parts = {}
if days > 0 then
    parts[#parts + 1] = plural(days, "day")
end
if days > 0 or hours > 0 then
    parts[#parts + 1] = plural(hours, "hour")
end
parts[#parts + 1] = plural(minutes, "minute")

return {
    value = seconds,
    message = "up " .. table.concat(parts, ", "),
    metrics = { uptime = { value = seconds, unit = "s" } },
}
