package view

import "gloss/shared/httpapi"

// The pages' names for the JSON API's shapes. The shapes themselves are
// shared/httpapi's, the same types the server encodes.
type (
	me           = httpapi.Me
	projectInfo  = httpapi.MyProject
	account      = httpapi.Account
	projectEntry = httpapi.ProjectEntry
	member       = httpapi.Member
	assignment   = httpapi.Assignment
	importResult = httpapi.ImportResult

	progressReport    = httpapi.Progress
	annotatorProgress = httpapi.AnnotatorProgress
	documentProgress  = httpapi.DocumentProgress
	assigneeStatus    = httpapi.AssigneeStatus

	agreementReport  = httpapi.AgreementReport
	agreementSummary = httpapi.AgreementSummary
	pairAgreement    = httpapi.PairAgreement
	docAgreement     = httpapi.DocumentAgreement
)
