namespace Passerelle.Accounts;

/// <summary>A person who logs in with a username and password: a company contact or a staff member.</summary>
public interface IAccount
{
    Guid Id { get; }
    string UserName { get; }
    string PasswordHash { get; set; }

    /// <summary>Changes with the password; a session whose cookie carries another stamp is ended.</summary>
    string SecurityStamp { get; set; }
}
