using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Passerelle.Referrals;
using Passerelle.Schools;

namespace Passerelle.Email;

// How this feature's entities map to tables: names and keys; columns are snake_case by convention (PasserelleDb).
// The schema itself is the hand-written SQL under Storage/Migrations, checked against this model by the schema tests.

internal sealed class OutboxMessageConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> builder)
    {
        builder.ToTable("outbox_messages");
        builder.HasOne<School>().WithMany().HasForeignKey(m => m.SchoolId);
        builder.HasOne<Referral>().WithMany().HasForeignKey(m => m.ReferralId);
        builder.HasOne<CvPushes.CvPush>().WithMany().HasForeignKey(m => m.CvPushId);
    }
}

internal sealed class ActionLinkConfiguration : IEntityTypeConfiguration<ActionLink>
{
    public void Configure(EntityTypeBuilder<ActionLink> builder)
    {
        builder.ToTable("action_links");
        builder.HasOne<Referral>().WithMany().HasForeignKey(l => l.ReferralId);
        builder.HasOne<CvPushes.PushedProfile>().WithMany().HasForeignKey(l => l.PushedProfileId);
        builder.HasOne<OutboxMessage>().WithMany().HasForeignKey(l => l.OutboxMessageId);
    }
}

internal sealed class EmailTemplateConfiguration : IEntityTypeConfiguration<EmailTemplate>
{
    public void Configure(EntityTypeBuilder<EmailTemplate> builder)
    {
        builder.ToTable("email_templates");
        builder.HasKey(t => new { t.SchoolId, t.Key });
    }
}
