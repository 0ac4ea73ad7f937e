"""Pure rules of the product: no Reflex, no SQL, time passed in as `now`."""
