"""Role policies: the policy model, the built-in Exchange 2007 policies, template facts."""
