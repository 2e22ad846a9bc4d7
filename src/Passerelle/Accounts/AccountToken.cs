namespace Passerelle.Accounts;

public enum AccountKind
{
    CompanyContact,
    Staff,
}

public enum AccountTokenPurpose
{
    /// <summary>"Mot de passe oublié": short-lived.</summary>
    PasswordReset,

    /// <summary>The link of the credentials mail, to choose a first password.</summary>
    FirstPassword,

    /// <summary>The link mailed to a contact's new address, to confirm it before it is used.</summary>
    EmailChange,
}

/// <summary>A single-use link to set a password; only the secret's hash is stored.</summary>
public sealed class AccountToken
{
    public static readonly TimeSpan ResetValidity = TimeSpan.FromHours(1);
    public static readonly TimeSpan FirstPasswordValidity = TimeSpan.FromDays(7);

    public Guid Id { get; set; }
    public AccountKind AccountKind { get; set; }
    public Guid AccountId { get; set; }
    public AccountTokenPurpose Purpose { get; set; }
    public byte[] SecretHash { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? UsedAt { get; set; }

    public static (AccountToken Token, string Raw) Create(AccountKind kind, Guid accountId, AccountTokenPurpose purpose, DateTimeOffset now)
    {
        var (id, hash, raw) = SecretToken.Create();
        var validity = purpose == AccountTokenPurpose.PasswordReset ? ResetValidity : FirstPasswordValidity; // EmailChange: 7 days too
        return (new AccountToken
        {
            Id = id, AccountKind = kind, AccountId = accountId, Purpose = purpose, SecretHash = hash, CreatedAt = now, ExpiresAt = now + validity,
        }, raw);
    }
}

/// <summary>One key of the ASP.NET data-protection key ring, kept in the database so every instance shares it.</summary>
public sealed class DataProtectionKey
{
    public string Name { get; set; } = "";
    public string Xml { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
}
