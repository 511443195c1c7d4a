"""The app's own GraphQL API at ``/graphql/``: storefronts (a customer's ``me``) and the
dashboard extension (customers by stage and segment, explanations, settings).

Resolvers are thin: they check who is asking (``auth``) and what they may see
(``permissions``), then call read functions (``customers``) or actions (``actions``).
"""
