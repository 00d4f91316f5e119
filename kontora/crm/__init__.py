"""CRM: leads, contacts, companies, deals, pipelines and stages, activities, timeline, products."""
