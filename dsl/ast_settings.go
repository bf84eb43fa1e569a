package dsl

// SettingStmt is a pipeline setting that maps to one field of the Argo
// object: `security_context { run_as_non_root: true }`,
// `archive_logs true`, `concurrency_policy forbid`, `name "nightly"`.
// The compiler's settings table (compiler/settings.go) says what each name
// means and what value it takes; TestSettingKeywords keeps this grammar's
// keyword list and that table equal.
type SettingStmt struct {
	Span
	Name  string `parser:"@('security_context' | 'dns_config' | 'dns_policy' | 'host_aliases' | 'affinity' | 'scheduler_name' | 'priority_class' | 'host_network' | 'automount_service_account_token' | 'pod_disruption_budget' | 'pod_spec_patch' | 'pod_metadata' | 'workflow_metadata' | 'template_defaults' | 'step_timeout' | 'volume_claim_gc' | 'archive_logs' | 'shutdown' | 'metrics' | 'name' | 'workflow_template_ref' | 'cluster_workflow_template_ref' | 'suspend' | 'concurrency_policy' | 'starting_deadline' | 'successful_jobs_history_limit' | 'failed_jobs_history_limit' | 'stop_when' | 'schedule_when' | 'executor_service_account' | 'fail_fast' | 'target' | 'step_parallelism' | 'entrypoint' | 'library' | 'entry_metrics')"`
	Value *Value `parser:"@@"`
}

func (*SettingStmt) pipelineStmt() {}

// StepSettingStmt is a step setting that maps to one field of the step's
// Argo template or container: `security_context { run_as_user: 1000 }`,
// `pod_spec_patch """..."""`, `priority_class "high"`. The compiler's
// step settings table (compiler/step_settings.go) says what each means.
type StepSettingStmt struct {
	Span
	Name  string `parser:"@('security_context' | 'pod_security_context' | 'pod_spec_patch' | 'affinity' | 'priority_class' | 'scheduler_name' | 'host_aliases' | 'service_account' | 'automount_service_account_token' | 'archive_logs' | 'metrics' | 'display_name')"`
	Value *Value `parser:"@@"`
}

// SyncStmt limits how many runs hold a lock at once, in a pipeline (the
// whole workflow) or a step: `mutex "name"`, `mutex database "name"`,
// `semaphore config_map("limits", "etl")`, `semaphore database "key"`,
// each with an optional `namespace "ns"`.
type SyncStmt struct {
	Span
	Kind      string     `parser:"@('mutex' | 'semaphore')"`
	Database  bool       `parser:"@'database'?"`
	Value     *Value     `parser:"@@"`
	Namespace *StringLit `parser:"( 'namespace' @@ )?"`
}

func (*StepSettingStmt) stepStmt() {}
func (*SyncStmt) stepStmt()        {}
func (*SyncStmt) pipelineStmt()    {}
