package domain

import "strconv"

// SQL literals of the domain words, for statements that name them. They are
// constants so a statement built from them is one constant text (prepared
// plans are reused); sql_test.go checks each against its word.

// Ticket statuses as SQL literals.
const (
	SQLStatusNew     = "'" + string(StatusNew) + "'"
	SQLStatusOpen    = "'" + string(StatusOpen) + "'"
	SQLStatusPending = "'" + string(StatusPending) + "'"
	SQLStatusSolved  = "'" + string(StatusSolved) + "'"
	SQLStatusClosed  = "'" + string(StatusClosed) + "'"

	// ActiveStatusesSQL is the ActiveStatuses as an SQL list, for
	// `status IN ` + ActiveStatusesSQL.
	ActiveStatusesSQL = "(" + SQLStatusNew + ", " + SQLStatusOpen + ", " + SQLStatusPending + ")"
)

// Message directions as SQL literals.
const (
	SQLDirectionIn   = "'" + string(DirectionIn) + "'"
	SQLDirectionOut  = "'" + string(DirectionOut) + "'"
	SQLDirectionNote = "'" + string(DirectionNote) + "'"
)

// Delivery statuses as SQL literals.
const (
	SQLDeliveryQueued    = "'" + string(DeliveryQueued) + "'"
	SQLDeliverySent      = "'" + string(DeliverySent) + "'"
	SQLDeliveryPosted    = "'" + string(DeliveryPosted) + "'"
	SQLDeliveryDelivered = "'" + string(DeliveryDelivered) + "'"
	SQLDeliveryRead      = "'" + string(DeliveryRead) + "'"
	SQLDeliveryFailed    = "'" + string(DeliveryFailed) + "'"

	// PublicStatusesSQL lists, as SQL, the delivery statuses of a reply
	// the citizen's status page shows: those that reached them, and those
	// their channel could not carry (failed: a chat the citizen left, a
	// phone call, which takes no text), since the notice sent by SMS or
	// email for such a reply points to that page. Queued replies wait.
	PublicStatusesSQL = "(" + SQLDeliverySent + ", " + SQLDeliveryPosted + ", " + SQLDeliveryDelivered + ", " + SQLDeliveryRead + ", " + SQLDeliveryFailed + ")"

	// DeliveryRankSQL is DeliveryStatus.Rank of the delivery_status column.
	DeliveryRankSQL = "CASE delivery_status WHEN " + SQLDeliveryQueued + " THEN 1 WHEN " + SQLDeliverySent + " THEN 2 WHEN " +
		SQLDeliveryPosted + " THEN 3 WHEN " + SQLDeliveryDelivered + " THEN 4 WHEN " + SQLDeliveryRead + " THEN 5 WHEN " +
		SQLDeliveryFailed + " THEN 6 ELSE 0 END"
)

// Priorities as SQL literals.
const (
	SQLPriorityLow    = "'" + string(PriorityLow) + "'"
	SQLPriorityNormal = "'" + string(PriorityNormal) + "'"
	SQLPriorityHigh   = "'" + string(PriorityHigh) + "'"
	SQLPriorityUrgent = "'" + string(PriorityUrgent) + "'"
)

// PriorityRanksSQL is every priority with its Rank as SQL VALUES rows
// (name, rank), most urgent first.
const PriorityRanksSQL = "(" + SQLPriorityUrgent + ", 0), (" + SQLPriorityHigh + ", 1), (" + SQLPriorityNormal + ", 2), (" + SQLPriorityLow + ", 3)"

// PriorityRankSQL is Priority.Rank of a priority column (for example
// "t.priority"): an expression to ORDER BY, most urgent first. Callers keep
// the result in a package-level value or a constant statement, so the
// statement text stays the same from call to call.
func PriorityRankSQL(column string) string {
	return "CASE " + column + " WHEN " + SQLPriorityUrgent + " THEN " + strconv.Itoa(PriorityUrgent.Rank()) +
		" WHEN " + SQLPriorityHigh + " THEN " + strconv.Itoa(PriorityHigh.Rank()) +
		" WHEN " + SQLPriorityNormal + " THEN " + strconv.Itoa(PriorityNormal.Rank()) +
		" ELSE " + strconv.Itoa(PriorityLow.Rank()) + " END"
}

// Roles and presence as SQL literals.
const (
	SQLRoleSupervisor = "'" + string(RoleSupervisor) + "'"
	SQLRoleAdmin      = "'" + string(RoleAdmin) + "'"

	// SupervisingRolesSQL lists, as SQL, the roles that see every ticket
	// of their queues' supervision (supervisor, admin).
	SupervisingRolesSQL = "(" + SQLRoleSupervisor + ", " + SQLRoleAdmin + ")"

	SQLPresenceOnline  = "'" + string(PresenceOnline) + "'"
	SQLPresenceAway    = "'" + string(PresenceAway) + "'"
	SQLPresenceBusy    = "'" + string(PresenceBusy) + "'"
	SQLPresenceOffline = "'" + string(PresenceOffline) + "'"
)
