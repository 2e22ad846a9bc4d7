using Passerelle.Accounts;
using Passerelle.Companies;

namespace Passerelle.CompanyPortal;

public sealed class SetPasswordModel(PasswordSetup setup)
    : SetPasswordPage<CompanyContact>(setup, AccountKind.CompanyContact, "/CompanyPortal/Login");
