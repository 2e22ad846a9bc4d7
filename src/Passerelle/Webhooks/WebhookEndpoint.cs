using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Passerelle.Common;
using Passerelle.Referrals;
using Passerelle.Schools;

namespace Passerelle.Webhooks;

/// <summary>
/// An address of the school's platform that receives its events (Standard Webhooks): every referral event and every mail
/// that failed for good, as JSON, signed with the endpoint's secret. The secret is stored protected, shown once; after a
/// rotation the previous one still signs for <see cref="RotationOverlap"/>.
/// </summary>
public sealed class WebhookEndpoint : ISchoolOwned
{
    public Guid Id { get; set; }
    public Guid SchoolId { get; set; }
    public string Url { get; set; } = "";

    /// <summary>The event types wanted, separated by spaces, or <see cref="AllEvents"/>.</summary>
    public string Events { get; set; } = AllEvents;

    /// <summary>The signing secret, protected with the data-protection keys.</summary>
    public string Secret { get; set; } = "";

    /// <summary>The secrets it replaced less than <see cref="RotationOverlap"/> ago, protected, newest first, separated by spaces.</summary>
    public string? PreviousSecret { get; set; }
    public DateTimeOffset? PreviousSecretUntil { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public string CreatedBy { get; set; } = "";
    public DateTimeOffset? DisabledAt { get; set; }

    public const string AllEvents = "*";

    public static readonly TimeSpan RotationOverlap = TimeSpan.FromHours(24);

    public bool Wants(string eventType) => Events == AllEvents || Events.Split(' ').Contains(eventType);
}

public enum WebhookDeliveryState
{
    Pending,
    Sent,
    Failed,
}

/// <summary>One event for one endpoint: the outbox row of a webhook, with its attempts and the last answer received.</summary>
public sealed class WebhookDelivery : ISchoolOwned
{
    /// <summary>Also the message id the receiver sees (<c>webhook-id</c>, "msg_…"), the same on every attempt.</summary>
    public Guid Id { get; set; }

    public Guid SchoolId { get; set; }
    public Guid EndpointId { get; set; }
    public string EventType { get; set; } = "";
    public Guid? ReferralId { get; set; }

    /// <summary>The event's place in its referral's timeline (0 for a mail failure): the order of delivery.</summary>
    public int EventSequence { get; set; }

    public string Payload { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public WebhookDeliveryState State { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public DateTimeOffset? LockedUntil { get; set; }
    public string? LockedBy { get; set; }
    public DateTimeOffset? SentAt { get; set; }
    public int? LastStatus { get; set; }
    public int? LastDurationMs { get; set; }
    public string? LastError { get; set; }

    public string MessageId => $"msg_{Id:N}";
}

internal sealed class WebhookEndpointConfiguration : IEntityTypeConfiguration<WebhookEndpoint>
{
    public void Configure(EntityTypeBuilder<WebhookEndpoint> builder)
    {
        builder.ToTable("webhook_endpoints");
        builder.HasOne<School>().WithMany().HasForeignKey(e => e.SchoolId);
    }
}

internal sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> builder)
    {
        builder.ToTable("webhook_deliveries");
        builder.Ignore(d => d.MessageId);
        builder.HasOne<WebhookEndpoint>().WithMany().HasForeignKey(d => d.EndpointId);
        builder.HasOne<Referral>().WithMany().HasForeignKey(d => d.ReferralId);
    }
}
