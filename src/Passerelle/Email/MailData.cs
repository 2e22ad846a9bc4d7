using System.Text.Json;
using Passerelle.Referrals;

namespace Passerelle.Email;

/// <summary>
/// What a mail must say as it was when the transition happened, kept with the outbox row.
/// <see cref="LinksExpireAt"/> makes a reminder's links expire with the ones it reminds of; a mail rendered in
/// advance (a template test) carries its Prepared* content.
/// </summary>
public sealed record MailData(
    DateTimeOffset? AppointmentStartsAt = null,
    string? AppointmentLocation = null,
    string? AppointmentComment = null,
    int AppointmentSequence = 0,
    string? Comment = null,
    string? Reason = null,
    ReferralEventKind? EventKind = null,
    string? ActorName = null,
    Party? OnBehalfOf = null,
    DateTimeOffset? LinksExpireAt = null,
    string? PreparedSubject = null,
    string? PreparedHtml = null,
    string? PreparedText = null)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string Serialize() => JsonSerializer.Serialize(this, Json);

    public static MailData Parse(string? json) =>
        string.IsNullOrEmpty(json) ? new MailData() : JsonSerializer.Deserialize<MailData>(json, Json) ?? new MailData();
}
