#pragma once

#include "daemon-core/api/entityroutes.h"

namespace prophasis {

// The system log and the audit log (SPEC §5, §9: /api/v1/logs, /api/v1/audit).
//   GET    /api/v1/logs        (Read) ?unread=1 &category= &host=<uuid> &since=<time> &limit=
//                              (1 … 1000, default 200) &cursor=: {"entries": [...] newest first,
//                              "unread_count": n, "next_cursor": "…" or null}; the unread count is
//                              also the header Prophasis-Unread-Count. Pass next_cursor as cursor
//                              for the next page (a cursor is the last entry's last-seen time and
//                              id, so paging skips nothing even while repeats fold).
//   POST   /api/v1/logs/read   (ManageLogs) {"ids": [1, 2]} or {"all": true}: marks entries read;
//                              {"marked": n, "unread_count": m}
//   DELETE /api/v1/logs        (ManageLogs) clears the log: removes every entry already READ and
//                              keeps the unread ones, so nothing the admin has not seen is lost;
//                              {"removed": n, "unread_count": m}
//   GET    /api/v1/audit       (ReadAudit: admins) ?since= &until= &entity=<uuid> &user=<uuid>
//                              &limit= &cursor=: {"entries": [...] newest first, "next_cursor"}
// Times are ISO 8601 or ms since 1970; bad parameters answer 422 naming the parameter. Marking
// and clearing are written to the audit log in the same transaction.
void mountLogRoutes(RouteTable &routes, const ApiContext &api);

} // namespace prophasis
