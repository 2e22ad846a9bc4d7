namespace Passerelle.Referrals;

/// <summary>Who receives a mail a transition asks for.</summary>
public enum Recipient
{
    Candidate,
    CompanyContact,

    /// <summary>The staff member who created the referral.</summary>
    ReferringStaff,

    /// <summary>An address given with the mail (credentials, password reset, a template test); never from the workflow.</summary>
    Address,
}

/// <summary>What a mail's calendar attachment does to the appointment in the recipient's calendar.</summary>
public enum CalendarInvite
{
    None,
    Request,
    Cancel,
}

/// <summary>A mail a transition requires; the e-mail machinery renders and delivers it from the outbox.</summary>
public sealed record MailToSend(string TemplateKey, Recipient To, CalendarInvite Calendar = CalendarInvite.None);

/// <summary>The template keys of PRODUCT.md, in process order.</summary>
public static class TemplateKeys
{
    public const string OfferToCandidate = "referral.offer_to_candidate";
    public const string CandidateToCompany = "referral.candidate_to_company";
    public const string AppointmentToCandidate = "referral.appointment_to_candidate";
    public const string SchoolCandidateAcceptedOffer = "school.candidate_accepted_offer";
    public const string SchoolCandidateDeclinedOffer = "school.candidate_declined_offer";
    public const string SchoolCompanyProposedAppointment = "school.company_proposed_appointment";
    public const string SchoolCompanyRefusedCandidate = "school.company_refused_candidate";
    public const string SchoolCandidateAcceptedAppointment = "school.candidate_accepted_appointment";
    public const string SchoolCandidateDeclinedAppointment = "school.candidate_declined_appointment";
    public const string SchoolOutcomeRecorded = "school.outcome_recorded";
    public const string CompanyRefusedToCandidate = "referral.company_refused_to_candidate";
    public const string AppointmentAnswerToCompany = "referral.appointment_answer_to_company";

    /// <summary>The candidate declined the offer after having accepted it: the company need not answer.</summary>
    public const string WithdrawnCandidateToCompany = "referral.withdrawn_candidate_to_company";

    /// <summary>The company refused after having proposed an appointment: the appointment is cancelled.</summary>
    public const string WithdrawnAppointmentToCandidate = "referral.withdrawn_appointment_to_candidate";

    public const string WithdrawnBySchoolToCandidate = "referral.withdrawn_by_school_to_candidate";
    public const string WithdrawnBySchoolToCompany = "referral.withdrawn_by_school_to_company";
    public const string ContactCredentials = "contact.credentials";
    public const string ContactPasswordReset = "contact.password_reset";

    /// <summary>A school invites a contact who already has an account (with another school) to work with it too.</summary>
    public const string ContactInvitation = "contact.invitation";

    /// <summary>A school changed a contact's address: the link to confirm it, sent to the new address (issue 16).</summary>
    public const string ContactEmailConfirmation = "contact.email_confirmation";
    public const string CandidateRetentionWarning = "candidate.retention_warning";
    public const string ReminderToCompany = "referral.reminder_to_company";

    /// <summary>A new staff member's access to Passerelle École (not in PRODUCT.md's list: staff accounts need it too).</summary>
    public const string StaffCredentials = "staff.credentials";

    public const string StaffPasswordReset = "staff.password_reset";

    /// <summary>A push CV: the profiles a school proposes to a company contact, each with its links.</summary>
    public const string PushToCompany = "push.profiles_to_company";

    /// <summary>A contact asked to meet a pushed profile: a referral is created with their appointment proposal.</summary>
    public const string SchoolCompanyAskedToMeet = "school.company_asked_to_meet";

    /// <summary>The notifications to the school's staff, which a school may turn off in its settings (all others always go).</summary>
    public static readonly IReadOnlySet<string> SchoolMayMute = new HashSet<string>(StringComparer.Ordinal)
    {
        SchoolCandidateAcceptedOffer, SchoolCandidateDeclinedOffer, SchoolCompanyProposedAppointment, SchoolCompanyRefusedCandidate,
        SchoolCandidateAcceptedAppointment, SchoolCandidateDeclinedAppointment, SchoolOutcomeRecorded, SchoolCompanyAskedToMeet,
    };
}
