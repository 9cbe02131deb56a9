package landreg

// Role is what an API token may do.
type Role = string

const (
	RolePlanner   Role = "planner"   // block lines and adjustments
	RoleRegistrar Role = "registrar" // parcels and events
	RoleAuditor   Role = "auditor"   // audit reports
	RoleAdmin     Role = "admin"     // everything, including approvals
)

// Roles lists every role.
var Roles = []Role{RolePlanner, RoleRegistrar, RoleAuditor, RoleAdmin}

// EventTypes are the kinds of parcel events (宗地事件, domain.md §8.1), in the order of
// a parcel's life. The database's parcel_events.type accepts exactly these.
var EventTypes = []string{"CONTRACT_SIGNED", "LAND_DELIVERED", "PERMIT_ISSUED", "STARTED", "PROGRESS",
	"SUSPENDED", "RESUMED", "EXTENSION_APPROVED", "GOV_CAUSE", "COMPLETED", "PLANNING_VERIFIED",
	"PRODUCTION_STARTED", "PRODUCTION_STOPPED", "RAMPUP_REVIEWED", "ANNUAL_INDICATORS", "IDLE_NOTICE",
	"IDLE_DETERMINED", "IDLE_FEE_LEVIED", "IDLE_FEE_PAID", "RECOVERY_DECIDED", "DISPOSED", "TRANSFERRED"}

// Retirement kinds (宗地注销): 注销 (deregistration: the record leaves the register) and
// 收回 (recovery of the land use right by the government). The first is the default.
const (
	RetireDeregister = "注销"
	RetireRecover    = "收回"
)

// RetirementKinds lists the kinds of retirement; parcel_retirements.kind accepts these.
var RetirementKinds = []string{RetireDeregister, RetireRecover}

// EventTransferred is the event of a change of holder (二级市场转让): it names the new
// holder (payload new_holder_uscc, a registered enterprise) and its contract (contract_no),
// and the parcel's new holder is written as a new version on the event's date.
const EventTransferred = "TRANSFERRED"

// Bases of a recovery of the land-use right (收回依据, landreg_sys.recovery_bases, domain.md
// §8.6 ruling 9): RECOVERY_DECIDED's payload basis. Without compensation (无偿收回) only
// for land idle two years of the holder's making; by agreement with compensation
// (协议有偿收回) with payload compensation_wan.
const (
	RecoveryUncompensated = "UNCOMPENSATED"
	RecoveryCompensated   = "COMPENSATED"
)

// DisposalStages are the stages of the disposal of idle land (闲置土地处置,
// landreg_sys.disposal_stages, domain.md §7.1) in the order of the procedure.
var DisposalStages = []string{"PENDING", "SURVEY", "DETERMINED", "FEE", "RECOVERED", "EXTENDED", "SWAPPED", "DISPOSED"}
