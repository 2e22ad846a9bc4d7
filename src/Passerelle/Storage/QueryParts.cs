using System.Linq.Expressions;

namespace Passerelle.Storage;

/// <summary>
/// Writes a query for <c>EF.CompileAsyncQuery</c> out of parts: a lambda's parameters replaced by other expressions (the query
/// it applies to, a constant), so that several compiled queries share one written projection instead of each repeating it.
/// </summary>
public static class QueryParts
{
    /// <summary>The body of <paramref name="lambda"/> with each of its parameters replaced by the matching argument.</summary>
    public static Expression Apply(LambdaExpression lambda, params Expression[] arguments) =>
        new Substitution(lambda.Parameters.Zip(arguments).ToDictionary(pair => pair.First, pair => pair.Second)).Visit(lambda.Body);

    private sealed class Substitution(Dictionary<ParameterExpression, Expression> replacements) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) =>
            replacements.TryGetValue(node, out var replacement) ? replacement : node;
    }
}
