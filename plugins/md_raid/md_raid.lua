-- Linux MD RAID health from /proc/mdstat. An array looks like
--
--   md2 : active raid5 sdd1[3](F) sdc1[2] sdb2[1] sda2[0]
--         2929890816 blocks super 1.2 level 5, 512k chunk, algorithm 2 [4/3] [UUU_]
--         [====>................]  recovery = 21.3% (416273408/1953382400) finish=178.4min ...
--
-- Members are "name[descriptor](flags)" with F = failed, S = spare, W = write-mostly,
-- J = journal, R = replacement; [n/m] is raid disks / working disks and [UUU_] one letter per
-- slot, so nothing here assumes fewer than ten disks. raid0 and linear have no [n/m].
local path = prophasis.args.mdstat_path

local text, err = prophasis.read_file(path, 1024 * 1024)
if not text then
    local why = tostring(err)
    if why:find("No such file", 1, true) then
        why = why .. " (is the md driver loaded?)"
    end
    return { value = nil, message = "cannot read " .. path .. ": " .. why }
end

local arrays = {}
local current
for line in text:gmatch("[^\n]*") do
    local name, rest = line:match("^(md[^%s:]*)%s*:%s*(.-)%s*$")
    if name then
        current = { name = name, members = {}, failed = {}, spares = 0, lines = {} }
        arrays[#arrays + 1] = current
        local words = {}
        for word in rest:gmatch("%S+") do
            words[#words + 1] = word
        end
        current.state = words[1] -- active | inactive
        for i = 2, #words do
            local w = words[i]
            local member, flags = w:match("^(.-)%[%d+%]([%(%)%a]*)$")
            if member then
                current.members[#current.members + 1] = member
                if flags:find("(F)", 1, true) then
                    current.failed[#current.failed + 1] = member
                elseif flags:find("(S)", 1, true) then
                    current.spares = current.spares + 1
                end
            elseif w:match("^%(.*%)$") then
                current.mode = w:sub(2, -2) -- (read-only), (auto-read-only)
            elseif not current.level then
                current.level = w
            end
        end
    elseif current and line:match("^%s+%S") then
        local raid, working, slots = line:match("%[(%d+)/(%d+)%]%s*%[([U_]+)%]")
        if raid then
            current.raidDisks, current.workingDisks, current.slots = tonumber(raid), tonumber(working), slots
        end
        local action, percent = line:match("(%a+)%s*=%s*(%d+%.?%d*)%%")
        if action then
            current.action, current.progress = action, tonumber(percent)
        end
        local what, state = line:match("(%a+)%s*=%s*(%u+)%s*$") -- resync=DELAYED, resync=PENDING
        if what and not current.action then
            current.waiting = what .. " " .. state:lower()
        end
        if line:find("super external:", 1, true) and not line:find("super external:/", 1, true) then
            current.container = true -- IMSM/DDF metadata container: inactive by design
        end
    elseif line:match("^%S") then
        current = nil
    end
end

local metrics = {}
local parts = {}
local problems = {}
local degraded, inactive, recovering, failedMembers, counted = 0, 0, 0, 0, 0

for _, a in ipairs(arrays) do
    if a.container then
        parts[#parts + 1] = a.name .. " metadata container"
    else
        counted = counted + 1
        local isInactive = a.state ~= "active"
        local missing = 0
        if a.raidDisks then
            missing = math.max(a.raidDisks - a.workingDisks, 0)
            local _, gaps = a.slots:gsub("_", "")
            missing = math.max(missing, gaps)
        end
        local isDegraded = isInactive or missing > 0
        local rebuilding = isDegraded and not isInactive and (a.action == "recovery" or a.action == "reshape")
        if isDegraded then
            degraded = degraded + 1
        end
        if isInactive then
            inactive = inactive + 1
        end
        if rebuilding then
            recovering = recovering + 1
        end
        failedMembers = failedMembers + #a.failed

        local p = metrics
        p[a.name .. ".degraded"] = isDegraded and 1 or 0
        p[a.name .. ".failed"] = #a.failed
        p[a.name .. ".spares"] = a.spares
        p[a.name .. ".members"] = #a.members
        if a.raidDisks then
            p[a.name .. ".disks"] = a.raidDisks
            p[a.name .. ".working"] = a.workingDisks
        end
        if a.progress then
            p[a.name .. "." .. a.action] = { value = a.progress, unit = "%" }
        end

        local desc = a.name .. " " .. (isInactive and "inactive" or (a.level or "?"))
        if a.raidDisks then
            desc = desc .. string.format(" [%d/%d] [%s]", a.raidDisks, a.workingDisks, a.slots)
        else
            desc = desc .. string.format(" %d member%s", #a.members, #a.members == 1 and "" or "s")
        end
        if isInactive then
            desc = desc .. " NOT RUNNING"
        elseif isDegraded then
            desc = desc .. " DEGRADED"
        end
        if #a.failed > 0 then
            desc = desc .. ", failed: " .. table.concat(a.failed, " ")
        end
        if a.progress then
            desc = desc .. string.format(", %s %.1f %%", a.action, a.progress)
        elseif a.waiting then
            desc = desc .. ", " .. a.waiting
        end
        if a.mode then
            desc = desc .. " (" .. a.mode .. ")"
        end
        if isDegraded or #a.failed > 0 then
            problems[#problems + 1] = desc
        else
            parts[#parts + 1] = desc
        end
    end
end

metrics.arrays = counted
metrics.degraded = degraded
metrics.inactive = inactive
metrics.recovering = recovering
metrics.failed_members = failedMembers

local message
if counted == 0 then
    message = "no MD RAID arrays"
else
    local all = {}
    table.move(problems, 1, #problems, 1, all)
    table.move(parts, 1, #parts, #all + 1, all)
    local head
    if degraded > 0 then
        head = string.format("%d of %d array%s degraded", degraded, counted, counted == 1 and "" or "s")
    elseif failedMembers > 0 then
        head = string.format("%d array%s, failed member%s to replace", counted, counted == 1 and "" or "s",
            failedMembers == 1 and "" or "s")
    else
        head = string.format("%d array%s healthy", counted, counted == 1 and "" or "s")
    end
    message = head .. ": " .. table.concat(all, "; ")
end
if #message > 4000 then
    message = message:sub(1, 3996) .. " ..."
end

return { value = degraded, message = message, metrics = metrics }
